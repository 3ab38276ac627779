import NCDCore

/// Members that move wires between tuple segments: copies, rearrangements, concatenation
/// bars, and convergences (additions and contractions).
extension GlyphBuilder {
    /// Room for curves that climb or fall `dy`.
    static func curveRoom(_ dy: Double, least: Double = 30) -> Double { min(90, max(least, dy * 0.55)) }

    /// Copy: each wire meets a dot and branches into every copy, a dashed line between copies.
    func copy(_ axes: [Axis], branches: Int) -> Glyph {
        let inRows = Glyph.stack([axes])
        let outRows = Glyph.stack(Array(repeating: axes, count: branches))
        let dy = Glyph.span(outRows).max - Glyph.span(inRows).min
        let width = 10 + Self.curveRoom(dy)
        let theme = self.theme
        return Glyph(
            inPorts: inRows, outPorts: outRows, width: width, top: (inRows[0].first ?? 0) - 4,
            bottom: Glyph.span(outRows).max + 4, reorders: axes.count > 1, separators: ([], Glyph.separators(outRows))
        ) { canvas, left, y in
            let dotX = left + 7
            for (i, r) in inRows[0].enumerated() {
                canvas.add(.polyline([Point(left, y + r), Point(dotX, y + r)], stroke: theme.wire), .wires)
                for branch in outRows {
                    canvas.add(
                        .wire(from: Point(dotX, y + r), to: Point(left + width, y + branch[i]), stroke: theme.wire),
                        .wires)
                }
                canvas.add(.circle(center: Point(dotX, y + r), radius: 3, fill: theme.ink, stroke: nil), .dots)
            }
            for sy in Glyph.separators(outRows) {
                canvas.add(
                    .polyline(
                        [Point(left + width * 0.55, y + sy), Point(left + width, y + sy)], stroke: theme.separator),
                    .wires)
            }
        }
    }

    /// A diagonal: the merged axis's wire joins the kept one's at a black dot, the paper's
    /// shared index; the other wires pass through to their rows.
    func diagonal(_ input: [Axis], _ output: [Axis], kept: String, merged: String) -> Glyph {
        let inRows = Glyph.stack([input])[0]
        let outRows = Glyph.stack([output])[0]
        let through = input.indices.compactMap { i in output.firstIndex { $0.name == input[i].name }.map { (i, $0) } }
        let joined = (
            from: input.firstIndex { $0.name == merged } ?? 0, to: output.firstIndex { $0.name == kept } ?? 0
        )
        let dy = (through + [joined]).map { abs(inRows[$0.0] - outRows[$0.1]) }.max() ?? 0
        let width = max(30, Self.curveRoom(dy))
        let theme = self.theme
        let all = inRows + outRows
        return Glyph(
            inPorts: [inRows], outPorts: [outRows], width: width, top: (all.min() ?? 0) - 6,
            bottom: (all.max() ?? 0) + 6
        ) { canvas, left, y in
            let dotX = left + width * 0.65
            for (i, o) in through + [joined] {
                canvas.add(
                    .wire(from: Point(left, y + inRows[i]), to: Point(dotX, y + outRows[o]), stroke: theme.wire), .wires
                )
                canvas.add(
                    .polyline([Point(dotX, y + outRows[o]), Point(left + width, y + outRows[o])], stroke: theme.wire),
                    .wires)
            }
            canvas.add(
                .circle(center: Point(dotX, y + outRows[joined.to]), radius: 3, fill: theme.ink, stroke: nil), .dots)
        }
    }

    /// A bar that merges the wires of several segments into one array, the operands stacked
    /// in the order they are joined (a class token prepended comes first, on top), even if
    /// their wires must cross to get there.
    func concatenate(_ ins: [[Axis]], _ output: [Axis]) -> Glyph {
        let inRows = Glyph.stack(ins)
        let outRows = Glyph.stack([output])
        let width = 30.0
        let theme = self.theme
        let span = Glyph.span(inRows + outRows)
        return Glyph(inPorts: inRows, outPorts: outRows, width: width, top: span.min - 8, bottom: span.max + 8) {
            canvas, left, y in
            let barX = left + width / 2
            for r in inRows.flatMap({ $0 }) {
                canvas.add(.polyline([Point(left, y + r), Point(barX, y + r)], stroke: theme.wire), .wires)
            }
            for r in outRows[0] {
                canvas.add(.polyline([Point(barX, y + r), Point(left + width, y + r)], stroke: theme.wire), .wires)
            }
            let bar = Rect(x: barX - 3, y: y + span.min - 8, width: 6, height: span.max - span.min + 16)
            canvas.addBox(.rectangle(bar, fill: theme.ink, stroke: nil), rect: bar, name: "concatenate")
        }
    }

    /// A concatenation along `axis`, as the paper draws the U-Net's: the operands' `axis`
    /// wires lie next to each other across the dashed line and meet a bar standing on it;
    /// every other axis, shared by the operands, is joined at a dot past the bar (one axis,
    /// diagonalised), rising or falling only once clear of the bar.
    func concatenate(_ ins: [[Axis]], _ output: [Axis], along axis: String) -> Glyph {
        let inRows = Self.contractedAdjacent(Glyph.stack(ins), ins, contracted: [axis])
        let outRows = Glyph.stack([output])[0]
        let span = Glyph.span(inRows + [outRows])
        let ends = Glyph.rows(of: axis, inRows, ins)
        let bar = ends.min()!...ends.max()!
        let barRun = 16.0
        let width = barRun + Self.curveRoom(span.max - span.min, least: 44)
        let theme = self.theme
        return Glyph(
            inPorts: inRows, outPorts: [outRows], width: width, top: span.min - 8, bottom: span.max + 8, reorders: true,
            separators: (Glyph.separators(inRows), [])
        ) { canvas, left, y in
            let barX = left + barRun / 2
            let jx = left + barRun + (width - barRun) * 0.62
            for (r, a) in zip(outRows, output) {
                let sources = Glyph.rows(of: a.name, inRows, ins)
                if a.name == axis {
                    for s in sources {
                        canvas.add(.polyline([Point(left, y + s), Point(barX, y + s)], stroke: theme.wire), .wires)
                    }
                    let from = Point(barX, y + min(max(r, bar.lowerBound), bar.upperBound))
                    canvas.add(.wire(from: from, to: Point(left + width, y + r), stroke: theme.wire), .wires)
                    continue
                }
                for s in sources {
                    canvas.add(
                        .wire(
                            from: Point(left, y + s), to: Point(jx, y + r), stroke: theme.wire,
                            level: (barRun + 2, 0)), .wires)
                }
                canvas.add(.polyline([Point(jx, y + r), Point(left + width, y + r)], stroke: theme.wire), .wires)
                if sources.count > 1 {
                    canvas.add(.circle(center: Point(jx, y + r), radius: 3, fill: theme.ink, stroke: nil), .dots)
                }
            }
            for sy in Glyph.separators(inRows) {
                canvas.add(.polyline([Point(left, y + sy), Point(barX - 3, y + sy)], stroke: theme.separator), .wires)
            }
            let rect = Rect(
                x: barX - 3, y: y + bar.lowerBound - 7, width: 6, height: bar.upperBound - bar.lowerBound + 14)
            canvas.addBox(.rectangle(rect, fill: theme.ink, stroke: nil), rect: rect, name: "concatenate")
        }
    }

    /// Each operand's rows reordered so that the axes contracted between neighbouring
    /// operands lie next to each other across the dashed line, as the paper swaps keys'
    /// `x̄ k` to `k x̄` before QKᵀ: the upper operand's contracted axes go last, the lower
    /// one's first, and the cap joining them encloses no other wire.
    static func contractedAdjacent(_ inRows: [[Double]], _ ins: [[Axis]], contracted: [String]) -> [[Double]] {
        guard !contracted.isEmpty else { return inRows }
        let visual = inRows.indices.filter { !inRows[$0].isEmpty }.sorted { inRows[$0].min()! < inRows[$1].min()! }
        guard visual.count > 1 else { return inRows }
        // The lower operand's in mirror order, so that caps nest instead of crossing (visual
        // attention's x̄ and ȳ caps, one inside the other).
        let upper = ins[visual[0]].map(\.name).filter { contracted.contains($0) }
        var moved = inRows
        for (k, t) in visual.enumerated() {
            let summed = ins[t].map { contracted.contains($0.name) }
            let order: [Int]
            if k == 0 {
                order = ins[t].indices.filter { !summed[$0] } + ins[t].indices.filter { summed[$0] }
            } else if k == visual.count - 1 {
                let mirrored = ins[t].indices.filter { summed[$0] }.sorted {
                    (upper.firstIndex(of: ins[t][$0].name) ?? -1) > (upper.firstIndex(of: ins[t][$1].name) ?? -1)
                }
                order = mirrored + ins[t].indices.filter { !summed[$0] }
            } else {
                continue
            }
            for (row, axis) in zip(inRows[t].sorted(), order) { moved[t][axis] = row }
        }
        return moved
    }

    /// Wires of the same axis from several segments converge: into a dot with the operator on
    /// the dashed line (addition, products), or, for a contraction, joined by a cap when the
    /// axis is summed away. A shared axis that survives is diagonalised at a dot.
    func converge(_ ins: [[Axis]], _ output: [Axis], symbol: String?, contracted: [String]) -> Glyph {
        // The result leaves at the first operand's rows, so a residual's main line stays
        // straight and a chain of them does not drift.
        let inRows = Self.contractedAdjacent(Glyph.stack(ins, order: inputOrder), ins, contracted: contracted)
        let outRows = Glyph.stack([output])[0]
        let span = Glyph.span(inRows + [outRows])
        // The operator stands on the dashed line before the wires bend, so none strikes it,
        // a short level dash before it: the line reaches it level even where it jogs up or
        // down in the gap before with the operands' wires (ViT's position embedding).
        let dash = 9.0
        let lead = symbol == nil ? 0.0 : 18.0 + dash
        let base = Self.curveRoom(span.max - span.min, least: 44) + lead
        let theme = self.theme
        let symbolFont = Font(.sans, size: 16)
        func sources(_ name: String) -> [Double] { Glyph.rows(of: name, inRows, ins) }
        // Caps join the rows of each contracted axis; a wire that would rise or fall across
        // one runs level past it first (the paper's v's k under the second cap).
        let caps = contracted.flatMap { name in
            let rows = sources(name).sorted()
            return zip(rows, rows.dropFirst()).map {
                (top: $0, bottom: $1, bulge: min(base * 0.5, ($1 - $0) * 0.55 + 6))
            }
        }
        let capReach = 8 + (caps.map(\.bulge).max() ?? 0) * 0.75 + 8
        func crossesCap(_ s: Double, _ r: Double) -> Bool {
            caps.contains { c in min(s, r) < c.bottom && max(s, r) > c.top && s != c.top && s != c.bottom }
        }
        let crossing = zip(outRows, output).contains { r, a in sources(a.name).contains { crossesCap($0, r) } }
        let start = crossing ? capReach : lead
        let width = base + (crossing ? capReach : 0)
        return Glyph(
            inPorts: inRows, outPorts: [outRows], width: width, top: span.min - 6, bottom: span.max + 6,
            reorders: ins.contains { $0.count > 1 } || !contracted.isEmpty,
            separators: (Glyph.separators(inRows), [])
        ) { canvas, left, y in
            let jx = left + start + (width - start) * 0.62
            var bending: [[Point]] = []
            for (r, a) in zip(outRows, output) {
                let from = sources(a.name)
                for s in from {
                    let level = crossesCap(s, r) ? capReach : lead
                    let wire = PathShape.wire(
                        from: Point(left, y + s), to: Point(jx, y + r), stroke: theme.wire, level: (level, 0))
                    canvas.add(wire, .wires)
                    if symbol != nil { bending.append(wire.flattened()) }
                }
                canvas.add(.polyline([Point(jx, y + r), Point(left + width, y + r)], stroke: theme.wire), .wires)
                if from.count > 1 {
                    canvas.add(.circle(center: Point(jx, y + r), radius: 3, fill: theme.ink, stroke: nil), .dots)
                }
            }
            for name in contracted {
                let rows = sources(name).sorted()
                if rows.count == 1 {
                    canvas.add(
                        .polyline([Point(left, y + rows[0]), Point(left + 10, y + rows[0])], stroke: theme.wire), .wires
                    )
                    canvas.add(
                        TextShape(
                            RichText(plain: "Σ"), at: Point(left + 11, y + rows[0] + 4), font: Font(.serif, size: 11),
                            color: theme.ink))
                }
            }
            for c in caps {
                let (a, b, capX) = (y + c.top, y + c.bottom, left + 8)
                canvas.add(
                    PathShape(
                        [
                            .move(Point(left, a)), .line(Point(capX, a)),
                            .curve(Point(capX + c.bulge, a), Point(capX + c.bulge, b), Point(capX, b)),
                            .line(Point(left, b)),
                        ], stroke: theme.wire), .wires)
            }
            // A separator between segments a cap joins stops where the cap begins, as the
            // paper's do, instead of running into the curve.
            for sy in Glyph.separators(inRows) where !caps.contains(where: { $0.top < sy && sy < $0.bottom }) {
                let sy = y + sy
                if let symbol {
                    // As near the dots as the first wire to rise or fall across the line allows.
                    let text = RichText(plain: symbol)
                    let crossing = bending.compactMap { line in
                        zip(line, line.dropFirst()).first { ($0.y - sy) * ($1.y - sy) <= 0 && $0.y != $1.y }?.0.x
                    }.min()
                    let at = max(left + dash + 2, (crossing ?? left) - text.width(in: symbolFont) - 8)
                    canvas.add(.polyline([Point(left, sy), Point(at - 2, sy)], stroke: theme.separator), .wires)
                    canvas.add(TextShape(text, at: Point(at, sy + 5.5), font: symbolFont, color: theme.ink))
                } else {
                    canvas.add(.polyline([Point(left, sy), Point(jx - 4, sy)], stroke: theme.separator), .wires)
                }
            }
        }
    }
}
