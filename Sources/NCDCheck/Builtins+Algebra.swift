import NCDCore
import NCDSyntax

/// Elementwise functions, scaling, linear maps, contractions, softmax, reductions, norms.
extension Instantiator {
    func unaryFunction(_ f: UnaryFunction, _ call: Call) -> Evaluated {
        rejectInstanceName(call)
        if call.spec != nil {
            error(.specShape, "`\(f.rawValue)` acts elementwise and takes no axes", at: call.callee.range)
            return .failed
        }
        guard let args = arguments(call, count: 1) else { return .failed }
        return emitUnary(f, args[0], at: call.range)
    }

    func scale(_ call: Call) -> Evaluated {
        rejectInstanceName(call)
        guard let spec = readSpec(call, allowed: []), let group = singleGroup(spec, call), group.count == 1 else {
            if call.spec != nil { error(.specShape, "`scale` takes one factor, as in `scale[k^-0.5](x)`", at: call.callee.range) }
            return .failed
        }
        guard let formula = evaluateScalar(group[0].value),
              let args = arguments(call, count: 1) else { return .failed }
        return emitScale(args[0], formula, written: written(group[0].value), at: call.range)
    }

    /// `linear[m -> k h](x)`: a learned map from the named axes of `x` to new axes, placed
    /// where the first named axis was, broadcast over the rest. Bias unless `bias=false`.
    func linear(_ call: Call) -> Evaluated {
        guard let spec = readSpec(call, allowed: ["bias"]), let mapping = singleMapping(spec, call),
              let bias = boolOption(spec, "bias", default: true),
              let args = arguments(call, count: 1) else { return .failed }
        let type = builder.type(of: args[0])
        guard let (input, rest) = consumedAxes(mapping, in: type, of: call),
              let output = newAxes(mapping.rhs, avoiding: rest, of: call) else { return .failed }
        let axes = replacing(input, in: type, with: output)
        guard let fanIn = try? input.reduce(SizeExpr.one, { try $0 * $1.size }) else { return .failed }
        let kind = OperationKind.linear(input: input, output: output, bias: bias)
        guard let inst = instance(for: call, stem: "linear", kind: kind, parameters: { path in
            var p = [Parameter(of: path, role: .weight, type: ArrayType(output + input), initializer: .kaimingUniform(fanIn: fanIn))]
            if bias { p.append(Parameter(of: path, role: .bias, type: ArrayType(output), initializer: .kaimingUniform(fanIn: fanIn))) }
            return p
        }) else { return .failed }
        return .array(emit(kind, inputs: args, outputs: [ArrayType(axes)], broadcast: rest,
                           parameters: inst.parameters, instance: inst.label, shares: inst.shares, at: call.range)[0])
    }

    /// `einsum[y k, x k -> y x](q, k)`: each operand's axes named (in any order), the output's
    /// listed; axes missing from the output are summed, axes shared and kept are diagonal.
    func einsum(_ call: Call) -> Evaluated {
        rejectInstanceName(call)
        guard let spec = readSpec(call, allowed: []) else { return .failed }
        guard spec.mappings.count == 1 else {
            error(.specShape, "`einsum` needs one `->` before the output axes, as in `\(example("einsum"))`", at: call.callee.range)
            return .failed
        }
        let patterns = spec.groups + [spec.mappings[0].lhs]
        guard let args = arguments(call, count: patterns.count) else {
            return .failed
        }
        var sizes: [String: (Axis, Int)] = [:]
        var operandNames: [[String]] = []
        for (i, (pattern, id)) in zip(patterns, args).enumerated() {
            guard let names = names(pattern) else { return .failed }
            let type = builder.type(of: id)
            let written = Set(names.map(\.text)), actual = Set(type.names)
            if written != actual {
                let missing = type.names.filter { !written.contains($0) }, extra = names.filter { !actual.contains($0.text) }
                var why: [String] = []
                if !extra.isEmpty { why.append("it has no \(extra.map { "`\($0.text)`" }.joined(separator: ", "))") }
                if !missing.isEmpty { why.append("\(missing.map { "`\($0)`" }.joined(separator: ", ")) not written") }
                error(.einsumPattern, "operand \(i + 1) of `einsum` has axes \(type), but the pattern says `\(names.map(\.text).joined(separator: " "))` (\(why.joined(separator: "; ")))",
                      at: (extra.first?.range ?? pattern.first?.range) ?? call.range)
                return .failed
            }
            for n in names {
                let axis = type.axis(named: n.text)!
                if let (earlier, j) = sizes[n.text], earlier.size != axis.size {
                    error(.sizeMismatch, "axis `\(n.text)` has size \(earlier.size) in operand \(j + 1) but \(axis.size) in operand \(i + 1)",
                          at: n.range)
                    return .failed
                }
                sizes[n.text] = (axis, i)
            }
            operandNames.append(names.map(\.text))
        }
        guard let outNames = names(spec.mappings[0].rhs) else { return .failed }
        var output: [Axis] = []
        for n in outNames {
            guard let (axis, _) = sizes[n.text] else {
                error(.missingAxis, "output axis `\(n.text)` of `einsum` is in no operand", at: n.range,
                      fixIts: FixIt.didYouMean(n.text, at: n.range, among: sizes.keys))
                return .failed
            }
            output.append(axis)
        }
        return .array(emit(.einsum(Contraction(operands: operandNames, output: outNames.map(\.text))), inputs: args,
                           outputs: [ArrayType(output)], broadcast: [], at: call.range)[0])
    }

    /// The axes a mapping's left side takes from `type` (at least one), and the rest.
    func consumedAxes(_ mapping: (lhs: [SpecElement], rhs: [SpecElement], range: SourceRange), in type: ArrayType,
                      of call: Call) -> (consumed: [Axis], rest: [Axis])? {
        guard !mapping.lhs.isEmpty else {
            error(.specShape, "`\(call.callee.text)` needs the axes it acts on before `->`", at: mapping.range)
            return nil
        }
        guard let consumed = existingAxes(mapping.lhs, in: type, of: call) else { return nil }
        return (consumed, type.axes.filter { a in !consumed.contains { $0.name == a.name } })
    }

    /// `type` with the `consumed` axes removed and `produced` put where the first consumed
    /// axis (as written) was: `linear[m -> k h]` on [y, m, b] gives [y, k, h, b].
    func replacing(_ consumed: [Axis], in type: ArrayType, with produced: [Axis]) -> [Axis] {
        let isConsumed = { (a: Axis) in consumed.contains { $0.name == a.name } }
        let position = type.axes.firstIndex { $0.name == consumed[0].name }!
        var axes = type.axes.filter { !isConsumed($0) }
        axes.insert(contentsOf: produced, at: type.axes[..<position].filter { !isConsumed($0) }.count)
        return axes
    }

    func softmax(_ call: Call, log: Bool) -> Evaluated {
        rejectInstanceName(call)
        guard let spec = readSpec(call, allowed: []), let group = singleGroup(spec, call),
              let args = arguments(call, count: 1) else { return .failed }
        let type = builder.type(of: args[0])
        guard let axes = existingAxes(group, in: type, of: call) else { return .failed }
        return .array(emit(.softmax(axes: axes.map(\.name), log: log), inputs: args, outputs: [type],
                           broadcast: type.axes.filter { a in !axes.contains { $0.name == a.name } }, at: call.range)[0])
    }

    func reduce(_ r: Reduction, _ call: Call) -> Evaluated {
        rejectInstanceName(call)
        guard let spec = readSpec(call, allowed: []), let group = singleGroup(spec, call),
              let args = arguments(call, count: 1) else { return .failed }
        let type = builder.type(of: args[0])
        guard let axes = existingAxes(group, in: type, of: call) else { return .failed }
        let rest = type.axes.filter { a in !axes.contains { $0.name == a.name } }
        return .array(emit(.reduce(r, axes: axes.map(\.name)), inputs: args, outputs: [ArrayType(rest)],
                           broadcast: rest, at: call.range)[0])
    }

    /// Layer and RMS norm normalise over the named axes; batch norm keeps statistics per
    /// position of the named (feature) axes. The affine parameters have the named axes.
    func normalize(_ n: Normalization, _ call: Call) -> Evaluated {
        guard let spec = readSpec(call, allowed: ["eps", "affine"]), let group = singleGroup(spec, call),
              let affine = boolOption(spec, "affine", default: true), numberOption(spec, "eps", default: 1e-5) != nil,
              let args = arguments(call, count: 1) else { return .failed }
        let type = builder.type(of: args[0])
        guard let axes = existingAxes(group, in: type, of: call) else { return .failed }
        let rest = type.axes.filter { a in !axes.contains { $0.name == a.name } }
        if n == .batch, rest.isEmpty {
            error(.axisRole, "`batchnorm` needs axes to take statistics over besides \(axes.map { "`\($0.name)`" }.joined(separator: ", "))",
                  at: call.range)
            return .failed
        }
        let kind = OperationKind.normalize(n, axes: axes.map(\.name))
        guard affine else {
            rejectInstanceName(call)
            return .array(emit(kind, inputs: args, outputs: [type], broadcast: rest, at: call.range)[0])
        }
        guard let inst = instance(for: call, stem: n.rawValue, kind: kind, parameters: { path in
            var p = [Parameter(of: path, role: .scale, type: ArrayType(axes), initializer: .ones)]
            if n != .rms { p.append(Parameter(of: path, role: .shift, type: ArrayType(axes), initializer: .zeros)) }
            return p
        }) else { return .failed }
        return .array(emit(kind, inputs: args, outputs: [type], broadcast: rest, parameters: inst.parameters,
                           instance: inst.label, shares: inst.shares, at: call.range)[0])
    }
}
