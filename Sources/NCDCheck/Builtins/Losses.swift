import NCDCore
import NCDSyntax

/// Losses: scalars from logits or predictions and targets.
extension BuiltinCall {
    /// `cross_entropy[c](logits, targets)`: targets are class indices (the logits' type
    /// without `c`) or probabilities (the logits' type). The result is the mean, a scalar.
    func crossEntropy() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec),
            let args = arguments(count: 2)
        else { return .failed }
        let logits = type(of: args[0])
        let targets = type(of: args[1])
        guard group.count == 1, let classAxis = existingAxes(group, in: logits)?.first else { return .failed }
        // Indices are checked to be integers where the operation is emitted (a fix-it there).
        let indices = ArrayType(logits.axes.filter { $0.name != classAxis.name }, element: .integer)
        guard targets.axes == indices.axes || targets.axes == logits.axes else {
            error(
                .lossTargets,
                "targets of `cross_entropy` have type \(targets); expected class indices \(indices) or probabilities \(logits)",
                at: call.arguments[1].range)
            return .failed
        }
        return .array(
            emit(
                .crossEntropy(classAxis: classAxis.name, targetsAreIndices: targets.axes == indices.axes),
                inputs: args, outputs: [.scalar], broadcast: [], at: call.range)[0])
    }

    func meanSquaredError() -> Evaluated {
        checker.rejectInstanceName(call)
        if call.spec != nil {
            error(.specShape, "`mse` compares whole arrays and takes no axes", at: call.callee.range)
            return .failed
        }
        guard let args = arguments(count: 2) else { return .failed }
        let a = type(of: args[0])
        let b = type(of: args[1])
        guard a == b else {
            error(.lossTargets, "`mse` compares arrays of one type; got \(a) and \(b)", at: call.range)
            return .failed
        }
        return .array(emit(.meanSquaredError, inputs: args, outputs: [.scalar], broadcast: [], at: call.range)[0])
    }
}
