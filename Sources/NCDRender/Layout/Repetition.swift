import NCDCore

/// Repetition (NOTATION.md): big parentheses around the columns a loop unrolled into, with
/// the loop's bounds, λ = first at the bottom left and the last index at the top right.
enum Repetition {
    struct Group {
        var variable: String
        var columns: ClosedRange<Int>
        var top: Double
        var bottom: Double
        var indices: ClosedRange<Int>
    }

    /// Room a bracket takes in the gap beside it.
    static let room = 10.0

    /// The loops of this diagram's top level, in order of their first column.
    static func groups(_ flow: FlowGraph, _ members: [[FlowGraph.Member]], _ glyphs: [[Glyph]], _ ys: [[Double]])
        -> [Group]
    {
        var groups: [LoopID: Group] = [:]
        var order: [LoopID] = []
        for c in members.indices {
            for (k, m) in members[c].enumerated() {
                guard case .node(let n) = m, case .operation(let op) = flow.nodes[n].kind, let frame = op.loops.first
                else { continue }
                let top = ys[c][k] + glyphs[c][k].top
                let bottom = ys[c][k] + glyphs[c][k].bottom
                if var g = groups[frame.loop] {
                    g.columns = min(g.columns.lowerBound, c)...max(g.columns.upperBound, c)
                    g.top = min(g.top, top)
                    g.bottom = max(g.bottom, bottom)
                    g.indices = min(g.indices.lowerBound, frame.index)...max(g.indices.upperBound, frame.index)
                    groups[frame.loop] = g
                } else {
                    groups[frame.loop] = Group(
                        variable: frame.variable, columns: c...c, top: top, bottom: bottom,
                        indices: frame.index...frame.index)
                    order.append(frame.loop)
                }
            }
        }
        return order.map { groups[$0]! }
    }

    static func draw(_ groups: [Group], _ spans: [(left: Double, right: Double)], theme: Theme, on canvas: inout Canvas)
    {
        let stroke = Stroke(theme.ink, width: 1.4)
        let font = Font(.serif, size: 11, italic: true)
        for g in groups {
            let top = g.top - 6
            let bottom = g.bottom + 6
            let bow = min(10, (bottom - top) * 0.08)
            let left = spans[g.columns.lowerBound].left - room + 3
            let right = spans[g.columns.upperBound].right + room - 3
            let brackets = [(left, bow), (right, -bow)].map { x, b in
                PathShape(
                    [
                        .move(Point(x + b, top)),
                        .curve(
                            Point(x - b * 0.3, top + (bottom - top) * 0.2),
                            Point(x - b * 0.3, bottom - (bottom - top) * 0.2), Point(x + b, bottom)),
                    ], stroke: stroke)
            }
            for b in brackets { canvas.add(b, .dots) }
            canvas.repetitions.append(RepetitionRecord(variable: g.variable, indices: g.indices, brackets: brackets))
            let lower = RichText(Notation.runs(g.variable, .normal) + [TextRun(" = \(g.indices.lowerBound)")])
            canvas.add(
                TextShape(lower, at: Point(left - lower.width(in: font) / 2, bottom + 13), font: font, color: theme.ink)
            )
            let upper = RichText(plain: "\(g.indices.upperBound)")
            canvas.add(
                TextShape(
                    upper, at: Point(right - upper.width(in: font) / 2 + 2, top - 4), font: font, color: theme.ink))
        }
    }
}
