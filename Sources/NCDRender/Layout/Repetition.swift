import NCDCore

/// Repetition (NOTATION.md): big parentheses around a loop's columns, with its bounds,
/// λ = first at the bottom left and λ = last at the top left. Drawn once (the default),
/// the columns are one iteration and the bounds are written as the source writes them
/// (`λ = 1`, `N − 1`); unrolled, they are every iteration and the bounds' values.
enum Repetition {
    struct Group {
        var loop: LoopID
        var variable: String
        var columns: ClosedRange<Int>
        var top: Double
        var bottom: Double
        var indices: ClosedRange<Int>
        /// The bounds as drawn.
        var lowerText: RichText
        var upperText: RichText
        /// The x-extent of the regions inside the loop, which the brackets stay outside of.
        var regions: (left: Double, right: Double)?
        /// Room its brackets take in the gaps beside it: more around regions, whose fill
        /// reaches past the columns.
        var room = Repetition.room
    }

    /// Room a bracket takes in the gap beside it.
    static let room = 10.0
    /// Room around a loop with a region inside: the region's margin and the brackets' curl.
    static let roomAroundRegions = room + 8

    /// The loops of this diagram's top level, in order of their first column.
    static func groups(_ flow: FlowGraph, _ members: [[FlowGraph.Member]], _ glyphs: [[Glyph]], _ ys: [[Double]])
        -> [Group]
    {
        var groups: [LoopID: Group] = [:]
        var order: [LoopID] = []
        func loopFrame(_ n: Int) -> LoopFrame? {
            guard case .operation(let op) = flow.nodes[n].kind else { return nil }
            return op.loops.first
        }
        for c in members.indices {
            for (k, m) in members[c].enumerated() {
                guard case .node(let n) = m, let frame = loopFrame(n) else { continue }
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
                        loop: frame.loop, variable: frame.variable, columns: c...c, top: top, bottom: bottom,
                        indices: frame.index...frame.index, lowerText: RichText([]), upperText: RichText([]))
                    order.append(frame.loop)
                }
            }
        }
        // A wire passing through a loop's columns to an operation in it (an LSTM's state
        // on its way to the cell) enters the loop: the brackets reach past it too.
        for c in members.indices {
            for (k, m) in members[c].enumerated() {
                guard case .pass(let t) = m, let frame = loopFrame(flow.tracks[t].consumer),
                    var g = groups[frame.loop], g.columns.contains(c)
                else { continue }
                g.top = min(g.top, ys[c][k] + glyphs[c][k].top)
                g.bottom = max(g.bottom, ys[c][k] + glyphs[c][k].bottom)
                groups[frame.loop] = g
            }
        }
        return order.map { id in
            var g = groups[id]!
            let loop = flow.loops.indices.contains(id) ? flow.loops[id] : nil
            if flow.drawnOnce.contains(id), let loop {
                g.indices = loop.lower...loop.upper
                g.lowerText = Notation.formula(loop.writtenLower)
                g.upperText = Notation.formula(loop.writtenUpper)
            } else {
                g.lowerText = RichText(plain: "\(g.indices.lowerBound)")
                g.upperText = RichText(plain: "\(g.indices.upperBound)")
            }
            return g
        }
    }

    static func draw(_ groups: [Group], _ spans: [(left: Double, right: Double)], theme: Theme, on canvas: inout Canvas)
    {
        let stroke = Stroke(theme.ink, width: 1.4)
        let font = Font(.serif, size: 11, italic: true)
        for g in groups {
            // High enough that the upper bound clears the label of a wire along the top.
            let top = g.top - 16
            let bottom = g.bottom + 6
            let bow = min(10, (bottom - top) * 0.08)
            // Clear of a region inside, even where the brackets' ends curl in.
            let left = min(spans[g.columns.lowerBound].left - g.room + 3, (g.regions?.left ?? .infinity) - bow - 2)
            let right = max(spans[g.columns.upperBound].right + g.room - 3, (g.regions?.right ?? -.infinity) + bow + 2)
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
            canvas.repetitions.append(
                RepetitionRecord(
                    variable: g.variable, indices: g.indices, brackets: brackets,
                    bounds: (g.lowerText.plainText, g.upperText.plainText)))
            // As the paper's U-Net figure: λ = last above the left bracket, λ = first below it;
            // moved off the bracket's end, farther out, if a wire or label is there.
            let lower = RichText(Notation.runs(g.variable, .normal) + [TextRun(" = ")] + g.lowerText.runs)
            let upper = RichText(Notation.runs(g.variable, .normal) + [TextRun(" = ")] + g.upperText.runs)
            for (text, baseline, away) in [(lower, bottom + 13, 1.0), (upper, top - 4, -1.0)] {
                let w = text.width(in: font)
                let candidates = stride(from: 0.0, through: 36, by: 6).flatMap { d in
                    [left - w / 2, left + 4, left - w - 4].map { Point($0, baseline + away * d) }
                }
                let origin = canvas.clearSpot(for: text, font: font, candidates: candidates)
                canvas.add(TextShape(text, at: origin, font: font, color: theme.ink))
            }
        }
    }
}
