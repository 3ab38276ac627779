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
    /// The arguments of a diagram call, a tuple passed whole standing for the arrays it
    /// holds (`Cell(x, state)` with `state` two outputs of an earlier call), each with the
    /// range of the argument it came from; exactly `count` of them.
    func diagramArguments(_ call: Call, count: Int) -> [(id: ValueID, range: SourceRange)]? {
        var result: [(ValueID, SourceRange)] = []
        var failed = false
        for argument in call.arguments {
            switch evaluate(argument) {
            case .array(let id): result.append((id, argument.range))
            case .tuple(let ids): result += ids.map { ($0, argument.range) }
            case .scalar:
                error(.arrayExpected, "expected an array, but this is a number", at: argument.range)
                failed = true
            case .failed: failed = true
            }
        }
        if failed { return nil }
        guard result.count == count else {
            error(
                .argumentCount,
                "`\(call.callee.text)` takes \(count) argument\(count == 1 ? "" : "s"), but \(result.count) \(result.count == 1 ? "was" : "were") given",
                at: call.range)
            return nil
        }
        return result
    }

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
