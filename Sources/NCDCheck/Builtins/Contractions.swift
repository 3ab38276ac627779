import NCDCore
import NCDSyntax

/// Learned linear maps and contractions.
extension BuiltinCall {
    /// `linear[m -> k h](x)`: a learned map from the named axes of `x` to new axes, placed
    /// where the first named axis was, broadcast over the rest. Bias unless `bias=false`.
    func linear() -> Evaluated {
        guard let spec = readSpec(allowed: ["bias"]), let mapping = singleMapping(spec),
            let bias = boolOption(spec, "bias", default: true),
            let args = arguments(count: 1)
        else { return .failed }
        let type = type(of: args[0])
        guard let (input, rest) = consumedAxes(mapping, in: type),
            let output = newAxes(mapping.rhs, avoiding: rest)
        else { return .failed }
        let axes = replacing(input, in: type, with: output)
        guard let fanIn = try? input.reduce(SizeExpr.one, { try $0 * $1.size }) else { return .failed }
        let kind = OperationKind.linear(input: input, output: output, bias: bias)
        guard
            let inst = checker.instance(
                for: call, stem: "linear", kind: kind,
                parameters: { path in
                    var p = [
                        Parameter(
                            of: path, role: .weight, type: ArrayType(output + input),
                            initializer: .kaimingUniform(fanIn: fanIn))
                    ]
                    if bias {
                        p.append(
                            Parameter(
                                of: path, role: .bias, type: ArrayType(output),
                                initializer: .kaimingUniform(fanIn: fanIn)))
                    }
                    return p
                })
        else { return .failed }
        return .array(
            emit(
                kind, inputs: args, outputs: [ArrayType(axes)], broadcast: rest,
                parameters: inst.parameters, instance: inst.label, shares: inst.shares, at: call.range)[0])
    }

    /// `einsum[y k, x k -> y x](q, k)`: each operand's axes named (in any order), the output's
    /// listed; axes missing from the output are summed, axes shared and kept are diagonal.
    func einsum() -> Evaluated {
        checker.rejectInstanceName(call)
        guard let spec = readSpec(allowed: []) else { return .failed }
        guard spec.mappings.count == 1 else {
            error(
                .specShape, "`einsum` needs one `->` before the output axes, as in `\(example("einsum"))`",
                at: call.callee.range)
            return .failed
        }
        let patterns = spec.groups + [spec.mappings[0].lhs]
        guard let args = arguments(count: patterns.count) else {
            return .failed
        }
        var sizes: [String: (Axis, Int)] = [:]
        var operandNames: [[String]] = []
        var operands: [ValueID] = []
        for (i, (pattern, argument)) in zip(patterns, args).enumerated() {
            guard var names = names(pattern, allowRepeats: true) else { return .failed }
            var id = argument
            if Set(names.map(\.text)).count < names.count {
                guard let diagonal = diagonals(names, of: id, operand: i) else { return .failed }
                (id, names) = diagonal
            }
            operands.append(id)
            let type = type(of: id)
            let written = Set(names.map(\.text))
            let actual = Set(type.names)
            if written != actual {
                let missing = type.names.filter { !written.contains($0) }
                let extra = names.filter { !actual.contains($0.text) }
                var why: [String] = []
                if !extra.isEmpty { why.append("it has no \(extra.map { "`\($0.text)`" }.joined(separator: ", "))") }
                if !missing.isEmpty { why.append("\(missing.map { "`\($0)`" }.joined(separator: ", ")) not written") }
                error(
                    .einsumPattern,
                    "operand \(i + 1) of `einsum` has axes \(type), but the pattern says `\(names.map(\.text).joined(separator: " "))` (\(why.joined(separator: "; ")))",
                    at: (extra.first?.range ?? pattern.first?.range) ?? call.range)
                return .failed
            }
            for n in names {
                let axis = type.axis(named: n.text)!
                if let (earlier, j) = sizes[n.text], earlier.size != axis.size {
                    error(
                        .sizeMismatch,
                        "axis `\(n.text)` has size \(earlier.size) in operand \(j + 1) but \(axis.size) in operand \(i + 1)",
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
                error(
                    .missingAxis, "output axis `\(n.text)` of `einsum` is in no operand", at: n.range,
                    fixIts: FixIt.didYouMean(n.text, at: n.range, among: sizes.keys))
                return .failed
            }
            output.append(axis)
        }
        return .array(
            emit(
                .einsum(Contraction(operands: operandNames, output: outNames.map(\.text))), inputs: operands,
                outputs: [ArrayType(output)], broadcast: [], at: call.range)[0])
    }

    /// An operand whose pattern writes a label twice (`i i`, as NumPy writes a trace) is read
    /// by position: one label per axis, in order, each the axis's own name or a repeat of an
    /// earlier one, which makes that axis one wire with the earlier (a diagonal, emitted
    /// before the contraction). Returns the operand and its pattern without the repeats.
    func diagonals(_ names: [Name], of id: ValueID, operand i: Int) -> (ValueID, [Name])? {
        let type = type(of: id)
        guard names.count == type.axes.count else {
            error(
                .einsumPattern,
                "operand \(i + 1) of `einsum` writes a label twice, so its pattern is read by position: one label for each axis of \(type), in order, but it has \(names.count)",
                at: names[0].range)
            return nil
        }
        var current = id
        var kept: [Name] = []
        for (axis, n) in zip(type.axes, names) {
            guard let first = kept.first(where: { $0.text == n.text }) else {
                guard n.text == axis.name else {
                    error(
                        .einsumPattern,
                        "operand \(i + 1) of `einsum` writes a label twice, so its pattern is read by position, and axis \(kept.count + 1) of \(type) is `\(axis.name)`, not `\(n.text)`",
                        at: n.range, fixIts: [FixIt("write `\(axis.name)`", range: n.range, replacement: axis.name)])
                    return nil
                }
                kept.append(n)
                continue
            }
            let earlier = type.axis(named: first.text)!
            guard earlier.size == axis.size else {
                error(
                    .sizeMismatch,
                    "`\(n.text)` written twice makes axes `\(earlier.name)` (size \(earlier.size)) and `\(axis.name)` (size \(axis.size)) one wire, but their sizes differ",
                    at: n.range)
                return nil
            }
            let before = self.type(of: current)
            current =
                emit(
                    .diagonal(kept: earlier.name, merged: axis.name), inputs: [current],
                    outputs: [ArrayType(before.axes.filter { $0.name != axis.name })], broadcast: [], at: n.range)[0]
        }
        return (current, kept)
    }

    /// The axes a mapping's left side takes from `type` (at least one), and the rest.
    func consumedAxes(_ mapping: (lhs: [SpecElement], rhs: [SpecElement], range: SourceRange), in type: ArrayType)
        -> (consumed: [Axis], rest: [Axis])?
    {
        guard !mapping.lhs.isEmpty else {
            error(.specShape, "`\(call.callee.text)` needs the axes it acts on before `->`", at: mapping.range)
            return nil
        }
        guard let consumed = existingAxes(mapping.lhs, in: type) else { return nil }
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
}
