import NCDCore

/// Chooses and builds the glyph of each column member, following NOTATION.md's table.
struct GlyphBuilder {
    var theme: Theme
    var options: RenderOptions
    /// Nesting level of the diagram being laid out (0 at the top).
    var level: Int
    /// The node's inputs top to bottom, as their wires arrive (operand order may differ:
    /// `x + f(x)` takes the skip first but it arrives below).
    var inputOrder: [Int]? = nil
    /// The loops of the diagram drawn once, whose operations are labelled as written.
    var drawnOnce: Set<LoopID> = []
    /// The enclosing callers' names for this diagram's axes (see ``DiagramLayout``).
    var renames: [String: String] = [:]

    /// Whether an operation is drawn as its loops' one iteration (or is in none), so that
    /// what it shows is written as the source writes it, not as this iteration's values.
    func asWritten(_ op: Operation) -> Bool { op.loops.allSatisfy { drawnOnce.contains($0.loop) } }

    func glyph(for node: FlowGraph.Node, in flow: FlowGraph, graph: DiagramGraph) -> Glyph {
        let ins = node.inputs.map { flow.tracks[$0].axes }
        let outs = node.outputs.map { flow.tracks[$0].axes }
        switch node.kind {
        case .copy: return copy(ins[0], branches: outs.count)
        case .discard: return discard(ins[0])
        case .sink: return sink(ins)
        case .operation(let op):
            var builder = self
            builder.drawnOnce = flow.drawnOnce
            let position = flow.arrivalPosition
            builder.inputOrder = node.inputs.indices.sorted {
                (position[node.inputs[$0]] ?? $0, $0) < (position[node.inputs[$1]] ?? $1, $1)
            }
            return builder.operation(op, ins, outs, graph: graph)
        }
    }

    private func operation(_ op: Operation, _ ins: [[Axis]], _ outs: [[Axis]], graph: DiagramGraph) -> Glyph {
        let broadcast = Set(op.broadcast.map(\.name))
        switch op.kind {
        case .linear(let input, _, let bias):
            var label = [TextRun("L")]
            if bias { label.append(TextRun("+", .lowered)) }
            if let name = Notation.chosenInstanceName(op) { label += Notation.runs(name, .raised) }
            // The axes it keeps (ȳ of L^O: [ȳ, k, h] → [ȳ, m]) pass over it, as the paper draws them.
            let kept = ins[0].map(\.name).filter { name in !input.contains { $0.name == name } }
            return box(
                op, ins, outs, broadcast: broadcast.union(kept), label: RichText(label), font: Metrics.learnedFont,
                style: .learned, graph: graph)
        case .convolution(_, _, _, let g, _, let transposed):
            var label = [TextRun("★\(g.kernel)")]
            if transposed { label.append(TextRun("T", .raised)) }
            if g.stride > 1 { label.append(TextRun("s=\(g.stride)", .lowered)) }
            return box(
                op, ins, outs, broadcast: broadcast, label: RichText(label), font: Metrics.learnedFont, style: .learned,
                graph: graph)
        case .window(_, _, let g):
            return box(
                op, ins, outs, broadcast: broadcast,
                label: RichText([TextRun("★\(g.kernel)"), TextRun(g.stride > 1 ? "\(g.stride)" : "", .lowered)]),
                font: Metrics.boxFont, style: .trapezoid, graph: graph)
        case .pool(let r, _, let g):
            return box(
                op, ins, outs, broadcast: broadcast,
                label: RichText([TextRun(Notation.reduction(r)), TextRun("\(g.kernel)", .lowered)]),
                font: Metrics.boxFont, style: .trapezoid, graph: graph)
        case .crossEntropy:
            return box(
                op, ins, outs, broadcast: broadcast, label: RichText(plain: "CE"), font: Metrics.boxFont, style: .plain,
                graph: graph)
        case .meanSquaredError:
            return box(
                op, ins, outs, broadcast: broadcast, label: RichText(plain: "MSE"), font: Metrics.boxFont,
                style: .plain, graph: graph)
        case .abstract(let name):
            return box(
                op, ins, outs, broadcast: broadcast, label: RichText(plain: name), font: Metrics.boxFont, style: .plain,
                graph: graph)
        case .call(let child):
            if options.opens(child.name, level: level) {
                return expandedCall(op, child, ins, outs, broadcast: broadcast)
            }
            return box(
                op, ins, outs, broadcast: broadcast, label: callTitle(op, child), font: Metrics.boxFont,
                style: .block, graph: graph)
        case .unary(let f):
            return arrowed(
                ins[0], label: RichText([TextRun(Notation.elementwise(f))]), font: Font(.serif, size: 15, italic: true))
        case .scale(let factor):
            return arrowed(
                ins[0], label: RichText([TextRun("∗")] + Notation.formula(factor.written).runs),
                font: Font(.serif, size: 13, italic: true))
        case .offset(let term):
            return arrowed(
                ins[0], label: RichText([TextRun("+")] + Notation.formula(term.written).runs),
                font: Font(.serif, size: 13, italic: true))
        case .dropout(let p):
            return arrowed(
                ins[0], label: RichText([TextRun("Drop"), TextRun("\(p)", .lowered)]), font: Font(.sans, size: 11))
        case .softmax(let axes, let log):
            return softmax(ins[0], axes: Set(axes), log: log)
        case .normalize(let kind, let axes):
            return normalize(ins[0], axes: Set(axes), kind: kind)
        case .reduce(let r, let axes):
            return reduce(ins[0], outs.first ?? [], axes: Set(axes), symbol: Notation.reduction(r))
        case .rearrange:
            return rearrange(ins[0], outs[0])
        case .concatenate(let axis) where ins.count > 1 && ins.allSatisfy({ $0.contains { $0.name == axis } }):
            return concatenate(ins, outs[0], along: axis)
        case .concatenate, .stack:
            return concatenate(ins, outs[0])
        case .binary(let f):
            return converge(ins, outs[0], symbol: Notation.binary(f), contracted: [])
        case .einsum(let contraction):
            return converge(ins, outs[0], symbol: nil, contracted: contraction.summed.sorted())
        case .index(let axis, let position, let written):
            // Inside a loop drawn once, the index as written (`s`); else its value.
            let text =
                asWritten(op) && !op.loops.isEmpty ? written.map { Notation.formula($0).plainText } : nil
            return tag(ins[0], outs[0], axis: axis, text: text ?? "\(position)", ends: true)
        case .slice(let axis, let start, let end):
            return tag(ins[0], outs[0], axis: axis, text: "\(start):\(end)", ends: false)
        case .identity:
            return unit(outs[0])
        case .embedding, .freeTensor:
            // A learned table read at ids (E), or a learned tensor on its own (θ, or its name).
            let chosen = Notation.chosenInstanceName(op)
            var label: [TextRun]
            if case .embedding = op.kind {
                label = [TextRun("E")] + (chosen.map { Notation.runs($0, .raised) } ?? [])
            } else {
                label = chosen.map { Notation.symbol($0).runs } ?? [TextRun("θ")]
            }
            return box(
                op, ins, outs, broadcast: broadcast, label: RichText(label), font: Metrics.learnedFont, style: .learned,
                graph: graph)
        case .select:
            // Like `+`: the operands meet, matched by axis name, at a selection mark.
            return converge(ins, outs[0], symbol: Notation.selection(op.kind), contracted: [])
        case .diagonal(let kept, let merged):
            return diagonal(ins[0], outs[0], kept: kept, merged: merged)
        case .gather, .causalMask, .fill:
            return box(
                op, ins, outs, broadcast: broadcast, label: RichText(plain: Notation.selection(op.kind)),
                font: Metrics.boxFont, style: .plain, graph: graph)
        case .save(let slot): return memoryMark(slot, ins[0], saving: true, asWritten: asWritten(op))
        case .load(let slot): return memoryMark(slot, outs[0], saving: false, asWritten: asWritten(op))
        }
    }

    private func sink(_ ins: [[Axis]]) -> Glyph {
        let rows = Glyph.stack(ins)
        let theme = self.theme
        return Glyph(
            inPorts: rows, outPorts: [], width: 12, top: Glyph.span(rows).min - 2, bottom: Glyph.span(rows).max + 2,
            separators: (Glyph.separators(rows), [])
        ) { canvas, left, y in
            for r in rows.joined() {
                canvas.add(.polyline([Point(left, y + r), Point(left + 12, y + r)], stroke: theme.wire), .wires)
            }
            // The outputs' separators run to the wires' ends, as the inputs' start at theirs.
            for sy in Glyph.separators(rows) {
                canvas.add(.polyline([Point(left, y + sy), Point(left + 12, y + sy)], stroke: theme.separator), .wires)
            }
        }
    }
}

extension GlyphBuilder {
    /// A call's name with its size arguments by name, as the source writes them
    /// (`Block(s=2, N, c_in=n₁)`: an argument written as its parameter's own name is that
    /// name alone, and one left to its default is left out); in an unrolled loop, where
    /// each iteration is drawn, their values.
    func callTitle(_ op: Operation, _ child: DiagramGraph) -> RichText {
        let valued = !asWritten(op)
        let args = child.sizeArguments.filter { $0.written != nil }.map { a -> [TextRun] in
            let value = a.written.flatMap { valued ? nil : Notation.formula($0) } ?? Notation.size(a.value)
            if value.plainText == a.name { return value.runs }
            return Notation.symbol(a.name).runs + [TextRun("=")] + value.runs
        }
        guard !args.isEmpty else { return RichText(plain: child.name) }
        var runs = [TextRun(child.name + "(")]
        for (i, a) in args.enumerated() { runs += (i == 0 ? [] : [TextRun(", ")]) + a }
        return RichText(runs + [TextRun(")")])
    }
}
