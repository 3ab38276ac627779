import NCDCore
import NCDSyntax

/// Reading at integer ids (embedding tables, gathers) and the causal mask.
extension BuiltinCall {
    /// `embed[vocab -> d](ids)`: a learned `[vocab, d]` table read at each id, as
    /// `nn.Embedding(vocab, d)`; the result has the ids' axes, then `d`. The table starts
    /// at N(0, 1), as `nn.Embedding`'s, or N(0, std²) with `std=` (GPT-2's 0.02).
    func embedding() -> Evaluated {
        guard let spec = readSpec(allowed: ["std"]), let mapping = singleMapping(spec), let args = arguments(count: 1),
            let std = numberOption(spec, "std", default: 1)
        else { return .failed }
        guard std > 0 else {
            error(
                .optionValue, "`std` must be positive; it is \(std)", at: spec.options["std"]?.value.range ?? call.range
            )
            return .failed
        }
        let ids = type(of: args[0])
        guard let tableNames = names(mapping.lhs), tableNames.count == 1,
            let table = checker.resolveAxis(tableNames[0], size: nil)
        else {
            if (names(mapping.lhs)?.count ?? 1) != 1 {
                error(.specShape, "`embed` reads one table axis, as in `\(example("embed"))`", at: mapping.range)
            }
            return .failed
        }
        guard let output = newAxes(mapping.rhs, avoiding: ids.axes), !output.isEmpty else {
            if mapping.rhs.isEmpty {
                error(.specShape, "`embed` needs the axes of its rows after `->`", at: mapping.range)
            }
            return .failed
        }
        if ids.contains(table.name) {
            error(
                .repeatedAxis, "the ids already have axis `\(table.name)`; the table's rows are a different wire",
                at: mapping.range)
            return .failed
        }
        let kind = OperationKind.embedding(table: table, output: output)
        guard
            let inst = checker.instance(
                for: call, stem: "embed", kind: kind,
                parameters: { path in
                    [
                        Parameter(
                            of: path, role: .weight, type: ArrayType([table] + output), initializer: .normal(std: std))
                    ]
                })
        else { return .failed }
        return .array(
            emit(
                kind, inputs: args, outputs: [ArrayType(ids.axes + output)], broadcast: ids.axes,
                parameters: inst.parameters, instance: inst.label, shares: inst.shares, at: call.range)[0])
    }

    /// `gather[vocab](table, ids)`: the table's entries along `vocab` at each id; the result
    /// has the ids' axes, then the table's others. Differentiable in the table.
    func gather() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec), let args = arguments(count: 2)
        else { return .failed }
        let (table, ids) = (type(of: args[0]), type(of: args[1]))
        guard group.count == 1, let axis = existingAxes(group, in: table)?.first else {
            if group.count != 1 {
                error(.specShape, "`gather` reads along one axis, as in `\(example("gather"))`", at: call.callee.range)
            }
            return .failed
        }
        let rest = table.axes.filter { $0.name != axis.name }
        if let clash = rest.first(where: { ids.contains($0.name) }) {
            error(
                .repeatedAxis, "the ids and the table both have axis `\(clash.name)`; the result would have it twice",
                at: call.arguments[1].range)
            return .failed
        }
        return .array(
            emit(
                .gather(axis: axis.name), inputs: args, outputs: [ArrayType(ids.axes + rest)], broadcast: ids.axes,
                at: call.range)[0])
    }

    /// `causal[t t2](scores)`: a key (`t2`) after its query (`t`) scores −∞, so a softmax
    /// over keys gives it no weight. Aligned at the first query and key, as PyTorch's
    /// `is_causal`, so the two axes may differ in size.
    func causalMask() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []), let group = singleGroup(spec), let args = arguments(count: 1)
        else { return .failed }
        let scores = type(of: args[0])
        guard group.count == 2, let axes = existingAxes(group, in: scores) else {
            if group.count != 2 {
                error(
                    .specShape, "`causal` takes the query axis and the key axis, as in `\(example("causal"))`",
                    at: call.callee.range)
            }
            return .failed
        }
        return .array(
            emit(
                .causalMask(query: axes[0].name, key: axes[1].name), inputs: args, outputs: [scores],
                broadcast: scores.axes.filter { $0.name != axes[0].name && $0.name != axes[1].name }, at: call.range)[0]
        )
    }
}

extension BuiltinCall {
    /// `where(condition, a, b)`: a's element where the condition is nonzero, else b's, the
    /// three matched by axis name as `+` matches two (a's axes, then b's others, then the
    /// condition's); `b` may be a number, `where(mask, scores, -1e9)`.
    func select() -> Evaluated {
        checker.rejectInstanceName(call)
        if call.spec != nil {
            error(.specShape, "`where` takes no brackets, as in `\(example("where"))`", at: call.callee.range)
            return .failed
        }
        guard call.arguments.count == 3 else {
            error(
                .argumentCount, "`where` takes a condition and two values, as in `\(example("where"))`", at: call.range)
            return .failed
        }
        guard let condition = checker.evaluateArray(call.arguments[0]), let a = checker.evaluateArray(call.arguments[1])
        else { return .failed }
        var inputs = [condition, a]
        var operands = [(type(of: a), call.arguments[1].range)]
        var fill: ScalarFactor?
        switch checker.evaluate(call.arguments[2]) {
        case .array(let b):
            inputs.append(b)
            operands.append((type(of: b), call.arguments[2].range))
        case .scalar(let formula, let written):
            guard let value = formula.evaluate([:]) else {
                error(.unknownSize, "the value of `where` must be a known number", at: call.arguments[2].range)
                return .failed
            }
            fill = ScalarFactor(value: value, formula: formula, written: written)
        case .tuple, .failed:
            return .failed
        }
        operands.append((type(of: condition), call.arguments[0].range))
        var axes: [Axis] = []
        for (t, range) in operands {
            for axis in t.axes {
                if let other = axes.first(where: { $0.name == axis.name }) {
                    guard other.size == axis.size else {
                        error(
                            .sizeMismatch,
                            "axis `\(axis.name)` has size \(axis.size) here but \(other.size) in another operand of `where`",
                            at: range)
                        return .failed
                    }
                } else {
                    axes.append(axis)
                }
            }
        }
        return .array(
            emit(.select(fill: fill), inputs: inputs, outputs: [ArrayType(axes)], broadcast: axes, at: call.range)[0])
    }
}
