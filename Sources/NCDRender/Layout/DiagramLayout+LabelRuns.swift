/// Labels once per straight run (the paper's way): a run goes on across a column that
/// carries a wire over untouched and across an opened frame's edge, so neither repeats the
/// label the reader has just seen.
extension DiagramLayout {
    /// A wire running straight into an opened frame keeps the label it has outside: the
    /// frame's first label on it, which would say the same again, is taken away.
    static func dropRepeatedLabels(
        entering: [(y: Double, text: RichText)], in span: ClosedRange<Double>, on canvas: inout Canvas
    ) {
        guard canvas.labels.contains(where: { span.contains($0.rect.x) }) else { return }
        for (y, text) in entering {
            if let first = canvas.labels(onWireAt: y, in: span).first, canvas.labels[first].text == text {
                canvas.removeLabel(first)
            }
        }
    }

    /// The wires leaving column `c` on the row they entered it, carried straight over a
    /// node (an operation broadcast over them, an elementwise mark, a copy's dot) with the
    /// label they came in with: their run goes on, and `b` is not written at every column.
    func passedOver(
        _ c: Int, _ members: [FlowGraph.Member], _ flow: FlowGraph, labels: [[RichText]],
        arriving: [Int: [Double]], leaving: [Int: [Double]], entering: [(y: Double, text: RichText)]
    ) -> Set<WireKey> {
        var keys = Set<WireKey>()
        var k = 0
        for m in members {
            defer { k += flow.outputs(m).count }
            guard case .node(let n) = m else { continue }
            let node = flow.nodes[n]
            for (o, t) in node.outputs.enumerated() {
                for (i, axis) in flow.tracks[t].axes.enumerated() {
                    guard Self.passes(node, axis.name), let y = leaving[t]?[i] else { continue }
                    let enters = node.inputs.contains { input in
                        zip(flow.tracks[input].axes, arriving[input] ?? []).contains {
                            $0.0.name == axis.name && abs($0.1 - y) < 1e-9
                        }
                    }
                    let text = labels[k + o][i]
                    if enters, entering.contains(where: { abs($0.y - y) < 1e-9 && $0.text == text }) {
                        keys.insert(WireKey(track: t, index: i))
                    }
                }
            }
        }
        return keys
    }

    /// Whether a node carries an axis over untouched: broadcast over it (but for a
    /// concatenation's bar), an elementwise mark, a normalisation or softmax over other
    /// axes, a copy.
    static func passes(_ node: FlowGraph.Node, _ name: String) -> Bool {
        switch node.kind {
        case .copy: return true
        case .operation(let op):
            // A concatenation's bar stands across every wire of its operands.
            if case .concatenate = op.kind { return false }
            if case .stack = op.kind { return false }
            if op.broadcast.contains(where: { $0.name == name }) { return true }
            switch op.kind {
            case .unary, .scale, .offset, .dropout: return true
            case .normalize(_, let axes), .softmax(let axes, _): return !axes.contains(name)
            default: return false
            }
        default: return false
        }
    }

    /// The wires of `gap` leaving a column straight from a label inside it (an opened
    /// frame's) that says what theirs would: their run is labelled already.
    static func labelledInside(
        _ gap: [Int], _ labels: [[RichText]], _ leaving: [Int: [Double]], _ span: (left: Double, right: Double),
        _ canvas: Canvas
    ) -> Set<WireKey> {
        var keys = Set<WireKey>()
        // Only an opened frame labels wires inside a column.
        guard canvas.labels.contains(where: { span.left <= $0.rect.x && $0.rect.x <= span.right }) else { return keys }
        for (t, names) in zip(gap, labels) {
            for (i, y) in (leaving[t] ?? []).enumerated() {
                guard let last = canvas.labels(onWireAt: y, in: span.left...span.right).last,
                    canvas.labels[last].text == names[i]
                else { continue }
                let from = canvas.labels[last].rect.x
                let bends = canvas.wires.contains { w in
                    abs(w.start.y - y) < 1e-6 && w.start.x >= from && w.start.x <= span.right && abs(w.end.y - y) > 1e-6
                }
                if !bends { keys.insert(WireKey(track: t, index: i)) }
            }
        }
        return keys
    }
}
