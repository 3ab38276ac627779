import NCDCore
import NCDSyntax

/// Softmax, reductions and normalisations over named axes.
extension BuiltinCall {
    /// The form `op[axes](x)` of softmax and the reductions: the one argument, its type, the
    /// axes named (which it must have) and its others. nil after an error.
    func namedAxesOfOneArgument() -> (arg: ValueID, type: ArrayType, axes: [Axis], rest: [Axis])? {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec), let args = arguments(count: 1)
        else { return nil }
        let type = type(of: args[0])
        guard let axes = existingAxes(group, in: type) else { return nil }
        return (args[0], type, axes, type.axes.filter { a in !axes.contains { $0.name == a.name } })
    }

    func softmax(log: Bool) -> Evaluated {
        guard let (arg, type, axes, rest) = namedAxesOfOneArgument() else { return .failed }
        return .array(
            emit(
                .softmax(axes: axes.map(\.name), log: log), inputs: [arg], outputs: [type], broadcast: rest,
                at: call.range)[0])
    }

    func reduce(_ r: Reduction) -> Evaluated {
        guard let (arg, _, axes, rest) = namedAxesOfOneArgument() else { return .failed }
        return .array(
            emit(
                .reduce(r, axes: axes.map(\.name)), inputs: [arg], outputs: [ArrayType(rest)], broadcast: rest,
                at: call.range)[0])
    }

    /// Layer and RMS norm normalise over the named axes; batch norm keeps statistics per
    /// position of the named (feature) axes. The affine parameters have the named axes.
    func normalize(_ n: Normalization) -> Evaluated {
        guard let spec = readSpec(allowed: ["eps", "affine"]), let group = singleGroup(spec),
            let affine = boolOption(spec, "affine", default: true), numberOption(spec, "eps", default: 1e-5) != nil,
            let args = arguments(count: 1)
        else { return .failed }
        let type = type(of: args[0])
        guard let axes = existingAxes(group, in: type) else { return .failed }
        let rest = type.axes.filter { a in !axes.contains { $0.name == a.name } }
        if n == .batch, rest.isEmpty {
            error(
                .axisRole,
                "`batchnorm` needs axes to take statistics over besides \(axes.map { "`\($0.name)`" }.joined(separator: ", "))",
                at: call.range)
            return .failed
        }
        let kind = OperationKind.normalize(n, axes: axes.map(\.name))
        // Batch norm keeps running statistics (buffers) even without affine terms.
        guard affine || n == .batch else {
            checker.rejectInstanceName(call)
            return .array(emit(kind, inputs: args, outputs: [type], broadcast: rest, at: call.range)[0])
        }
        let features = ArrayType(axes)
        guard
            let inst = checker.instance(
                for: call, stem: n.rawValue, kind: kind,
                parameters: { path in
                    var p: [Parameter] = []
                    if affine { p.append(Parameter(of: path, role: .scale, type: features, initializer: .ones)) }
                    if affine, n != .rms {
                        p.append(Parameter(of: path, role: .shift, type: features, initializer: .zeros))
                    }
                    if n == .batch {
                        p.append(Parameter(of: path, role: .runningMean, type: features, initializer: .zeros))
                        p.append(Parameter(of: path, role: .runningVariance, type: features, initializer: .ones))
                        p.append(Parameter(of: path, role: .batchesTracked, type: .scalar, initializer: .zeros))
                    }
                    return p
                })
        else { return .failed }
        return .array(
            emit(
                kind, inputs: args, outputs: [type], broadcast: rest, parameters: inst.parameters,
                instance: inst.label, shares: inst.shares, at: call.range)[0])
    }
}
