import NCDCore
import NCDSyntax

/// Elementwise functions, scaling and dropout: they act on every axis.
extension BuiltinCall {
    func unaryFunction(_ f: UnaryFunction) -> Evaluated {
        checker.rejectInstanceName(call)
        if call.spec != nil {
            error(.specShape, "`\(f.rawValue)` acts elementwise and takes no axes", at: call.callee.range)
            return .failed
        }
        guard let args = arguments(count: 1) else { return .failed }
        return checker.emitUnary(f, args[0], at: call.range)
    }

    func scale() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec), group.count == 1 else {
            if call.spec != nil {
                error(.specShape, "`scale` takes one factor, as in `scale[k^-0.5](x)`", at: call.callee.range)
            }
            return .failed
        }
        guard let formula = checker.evaluateScalar(group[0].value),
            let args = arguments(count: 1)
        else { return .failed }
        return checker.emitScale(args[0], formula, written: checker.written(group[0].value), at: call.range)
    }

    func dropout() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: ["p"]), let p = numberOption(spec, "p", default: 0.5),
            let args = arguments(count: 1)
        else { return .failed }
        guard spec.groups.isEmpty, spec.mappings.isEmpty else {
            error(.specShape, "`dropout` acts elementwise; it takes only `p`", at: call.callee.range)
            return .failed
        }
        guard p >= 0, p < 1 else {
            error(
                .optionValue, "dropout probability must be in [0, 1); it is \(p)",
                at: spec.options["p"]?.value.range ?? call.range)
            return .failed
        }
        let type = type(of: args[0])
        return .array(
            emit(.dropout(probability: p), inputs: args, outputs: [type], broadcast: type.axes, at: call.range)[0])
    }
}
