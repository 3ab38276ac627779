import NCDCore
import NCDSyntax

/// Calls: a built-in by its typing rule (``BuiltinCall``), a diagram by ``DiagramCall``.
extension Instantiator {
    /// A call: a built-in by its typing rule, or a diagram.
    func evaluateCall(_ call: Call) -> Evaluated {
        if let rule = Builtins.table[call.callee.text] {
            if !call.over.isEmpty {
                error(
                    .overOnBuiltin,
                    "built-in `\(call.callee.text)` already acts on the axes it names and is broadcast over the rest; `over` is for diagrams",
                    at: call.over[0].range)
                return .failed
            }
            return rule(BuiltinCall(checker: self, call: call))
        }
        if let declaration = globals.diagrams[call.callee.text] {
            return DiagramCall(caller: self, callee: declaration, call: call).check()
        }
        report(
            unknownName(
                call.callee, kind: "operation or diagram",
                candidates: Array(Builtins.names) + Array(globals.diagrams.keys)))
        call.arguments.forEach { _ = evaluate($0) }
        return .failed
    }

    /// Evaluates exactly `count` array arguments.
    func arguments(_ call: Call, count: Int) -> [ValueID]? {
        guard call.arguments.count == count else {
            error(
                .argumentCount,
                "`\(call.callee.text)` takes \(count) argument\(count == 1 ? "" : "s"), but \(call.arguments.count) \(call.arguments.count == 1 ? "was" : "were") given",
                at: call.range)
            call.arguments.forEach { _ = evaluate($0) }
            return nil
        }
        let ids = call.arguments.map(evaluateArray)
        guard ids.allSatisfy({ $0 != nil }) else { return nil }
        return ids.map { $0! }
    }
}
