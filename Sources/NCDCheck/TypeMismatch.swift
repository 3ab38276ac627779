import NCDCore
import NCDSyntax

/// How a value's type differs from the one expected: extra or missing axes, a size, the
/// elements (integers against numbers), or only the order (with a fix-it that rearranges).
struct TypeMismatch {
    let actual: ArrayType
    let expected: ArrayType
    /// What the value is, for the message: "returned value", "argument `x` of `F`".
    let what: String

    func diagnostic(at range: SourceRange, declaredAt: SourceRange, source: String) -> Diagnostic {
        let note = DiagnosticNote("expected type declared here", at: declaredAt)
        let missing = expected.names.filter { !actual.contains($0) }
        let extra = actual.names.filter { !expected.contains($0) }
        guard missing.isEmpty, extra.isEmpty else {
            var parts: [String] = []
            if !extra.isEmpty { parts.append("extra axis \(extra.map { "`\($0)`" }.joined(separator: ", "))") }
            if !missing.isEmpty { parts.append("missing axis \(missing.map { "`\($0)`" }.joined(separator: ", "))") }
            return .error(
                .typeMismatch,
                "\(what) has type \(actual), but \(expected) is expected (\(parts.joined(separator: "; ")))",
                at: range, notes: [note])
        }
        for e in expected.axes {
            if let a = actual.axis(named: e.name), a.size != e.size {
                return .error(
                    .sizeMismatch, "\(what) has axis `\(e.name)` of size \(a.size), but \(e.size) is expected",
                    at: range, notes: [note])
            }
        }
        if actual.element != expected.element, actual.names == expected.names {
            let (have, want) =
                actual.element == .integer ? ("integers", "numbers") : ("numbers", "integers (ids or labels)")
            return .error(
                .elementKind, "\(what) has type \(actual), but \(expected) is expected: it holds \(have), not \(want)",
                at: range, notes: [note])
        }
        let from = actual.names.joined(separator: " ")
        let to = expected.names.joined(separator: " ")
        return .error(
            .axisOrder, "\(what) has axes in the order \(actual), but \(expected) is expected", at: range,
            notes: [note],
            fixIts: [
                FixIt(
                    "reorder with `rearrange[\(from) -> \(to)](…)`", range: range,
                    replacement: "rearrange[\(from) -> \(to)](\(source))")
            ])
    }
}
