import NCDCore
import NCDSyntax

extension DiagramCall {
    /// Binds the callee's generic axes positionally to the arguments' axes. Returns, for each
    /// generic name, the caller's axis it stands for.
    func bindGenerics(_ stripped: [ArrayType], _ ranges: [SourceRange], child: Instantiator) -> [String: Axis]? {
        let generics = Set(callee.generics.map(\.text))
        var renaming: [String: Axis] = [:]
        for (i, (input, actual)) in zip(callee.inputs, stripped).enumerated() {
            let expected = input.type.axes
            guard expected.count == actual.axes.count else {
                // Suggest broadcasting over the axes the signature does not name.
                let surplus = actual.axes.count - expected.count
                let extra = Array(
                    actual.axes.filter { a in !expected.contains { $0.name.text == a.name } }.prefix(max(0, surplus)))
                let fix =
                    surplus > 0 && extra.count == surplus
                    ? [
                        FixIt(
                            "broadcast over the extra axes with `over \(extra.map(\.name).joined(separator: " "))`",
                            range: call.range.endPoint, replacement: " over \(extra.map(\.name).joined(separator: " "))"
                        )
                    ] : []
                error(
                    .argumentRank,
                    "argument \(i + 1) of `\(callee.name.text)` has \(actual.axes.count) axes \(actual), but `\(input.name.text)` has \(expected.count): [\(expected.map(\.name.text).joined(separator: ", "))]",
                    at: ranges[i], notes: [DiagnosticNote("input declared here", at: input.type.range)],
                    fixIts: fix)
                return nil
            }
            for (ref, axis) in zip(expected, actual.axes) where generics.contains(ref.name.text) {
                if let bound = renaming[ref.name.text] {
                    if bound != axis {
                        error(
                            .genericBinding,
                            "generic axis `\(ref.name.text)` of `\(callee.name.text)` stands for \(bound) in one argument and \(axis) in argument \(i + 1)",
                            at: ranges[i])
                        return nil
                    }
                } else {
                    renaming[ref.name.text] = axis
                    child.scope.localAxes[ref.name.text] = Axis(ref.name.text, axis.size)
                }
            }
        }
        for g in callee.generics where renaming[g.text] == nil {
            error(
                .genericBinding,
                "generic axis `\(g.text)` of `\(callee.name.text)` appears in no input, so no call can bind it",
                at: g.range)
            return nil
        }
        // Two generics standing for the same caller axis is fine (self-attention: y = x);
        // inside the callee they stay distinct wires.
        return renaming
    }
}
