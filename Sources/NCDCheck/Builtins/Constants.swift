import NCDCore
import NCDSyntax

/// Arrays that come from no input: constants and learned free tensors.
extension BuiltinCall {
    /// `zeros[a b]()`, `ones[a b]()`: a constant array over the named axes.
    func constant(_ fill: Fill) -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec), arguments(count: 0) != nil,
            let axes = newAxes(group, avoiding: [])
        else { return .failed }
        return .array(emit(.fill(fill), inputs: [], outputs: [ArrayType(axes)], broadcast: [], at: call.range)[0])
    }

    /// `arange[t]()`: 0, 1, …, t − 1 along `t` (the positions a position embedding reads).
    func arange() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec), arguments(count: 0) != nil else {
            return .failed
        }
        guard group.count == 1, let axis = newAxes(group, avoiding: [])?.first else {
            if group.count != 1 {
                error(.specShape, "`arange` counts along one axis, as in `\(example("arange"))`", at: call.callee.range)
            }
            return .failed
        }
        return .array(
            emit(
                .fill(.arange(axis: axis.name)), inputs: [], outputs: [ArrayType([axis])], broadcast: [],
                at: call.range)[0])
    }

    /// `param[t d, init=normal, std=0.02]() as wpe`: a learned tensor over the named axes,
    /// named by its instance alone (`wpe`, as an `nn.Parameter` attribute), starting at
    /// zeros, ones or N(0, std²).
    func freeTensor() -> Evaluated {
        guard let spec = readSpec(allowed: ["init", "std"]), let group = singleGroup(spec), arguments(count: 0) != nil,
            let axes = newAxes(group, avoiding: []),
            let initName = choiceOption(spec, "init", among: ["zeros", "ones", "normal"], default: "zeros"),
            let std = numberOption(spec, "std", default: 1)
        else { return .failed }
        if spec.options["std"] != nil, initName != "normal" {
            error(.optionValue, "`std` is for `init=normal`", at: spec.options["std"]?.name.range ?? call.range)
            return .failed
        }
        guard std > 0 else {
            error(
                .optionValue, "`std` must be positive; it is \(std)", at: spec.options["std"]?.value.range ?? call.range
            )
            return .failed
        }
        let initializer: Initializer = initName == "normal" ? .normal(std: std) : initName == "ones" ? .ones : .zeros
        let type = ArrayType(axes)
        guard
            let inst = checker.instance(
                for: call, stem: "param", kind: .freeTensor,
                parameters: { path in [Parameter(of: path, role: .free, type: type, initializer: initializer)] })
        else { return .failed }
        return .array(
            emit(
                .freeTensor, inputs: [], outputs: [type], broadcast: [], parameters: inst.parameters,
                instance: inst.label, shares: inst.shares, at: call.range)[0])
    }
}
