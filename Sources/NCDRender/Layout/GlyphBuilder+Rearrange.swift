import NCDCore

/// Rearrangement: kept axes cross to their new rows; merged or split axes meet a thick bar
/// (flatten `28, 28 → 28²`). The bar stands where the merged wires arrive (a split's where
/// its wire arrives), and a kept wire changes rows beside the bar, never across it.
extension GlyphBuilder {
    func rearrange(_ input: [Axis], _ output: [Axis]) -> Glyph {
        let inRows = Glyph.stack([input])[0]
        let outRows = Glyph.stack([output])[0]
        let kept = input.indices.compactMap { i in output.firstIndex { $0.name == input[i].name }.map { (i, $0) } }
        let mergedIn = input.indices.filter { i in !kept.contains { $0.0 == i } }.map { inRows[$0] }
        let mergedOut = output.indices.filter { o in !kept.contains { $0.1 == o } }.map { outRows[$0] }
        let barWires = mergedIn.isEmpty ? mergedOut : mergedIn
        let bar = barWires.min().map { $0...barWires.max()! }
        let inversions = kept.indices.reduce(0) { n, a in n + kept[(a + 1)...].filter { $0.1 < kept[a].1 }.count }
        let moves = kept.filter { inRows[$0.0] != outRows[$0.1] }
        let dy = (moves.map { abs(inRows[$0.0] - outRows[$0.1]) } + [0]).max()!
        let room = Self.curveRoom(dy, least: inversions > 0 ? 40 : 0)
        // Kept wires bend on one side of a bar, so they need a curve's room on each side.
        let bendBesideBar = bar != nil && !moves.isEmpty
        // Past the bar its wires run level a little before any crossing, so that a kept wire
        // crossing them (ViT's d over the patches' p) is not read as entering the bar.
        let afterBar = bendBesideBar ? 12.0 : 0
        let width = bendBesideBar ? max(26, 2 * room + 8 + 2 * afterBar) : max(26, room)
        let theme = self.theme
        let all = inRows + outRows
        return Glyph(
            // The bar reaches 7 past the wires it meets.
            inPorts: [inRows], outPorts: [outRows], width: width, top: (all.min() ?? 0) - (bar == nil ? 6 : 7),
            bottom: (all.max() ?? 0) + (bar == nil ? 6 : 7), reorders: inversions > 0 || bendBesideBar
        ) { canvas, left, y in
            let barX = left + (width - afterBar) / 2
            let right = left + width
            /// Where on the bar a merged wire meets it: its own row, or the bar's nearer end.
            func onBar(_ r: Double) -> Double { bar.map { min(max(r, $0.lowerBound), $0.upperBound) } ?? r }
            let clear = bar.map { ($0.lowerBound - 10)...($0.upperBound + 10) }
            // Each wire leans its own way, so that three or more never cross at one point.
            for (k, (i, o)) in kept.enumerated() {
                let (a, b) = (inRows[i], outRows[o])
                let t = Double(k) / Double(max(1, kept.count - 1))
                var level = (start: 0.0, end: 0.0)
                if let clear, !clear.contains(a) {
                    level.start = barX + 4 + afterBar - left
                } else if let clear, !clear.contains(b) {
                    level.end = right - (barX - 4)
                }
                let path = PathShape.wire(
                    from: Point(left, y + a), to: Point(right, y + b), stroke: theme.wire,
                    bends: level == (0, 0) ? (0.15 + 0.45 * t, 0.6 - 0.45 * t) : (0.4, 0.4), level: level)
                canvas.add(path, .wires)
            }
            for r in mergedIn {
                canvas.add(.wire(from: Point(left, y + r), to: Point(barX, y + onBar(r)), stroke: theme.wire), .wires)
            }
            for r in mergedOut {
                canvas.add(
                    .wire(
                        from: Point(barX, y + onBar(r)), to: Point(right, y + r), stroke: theme.wire,
                        level: (afterBar, 0)), .wires)
            }
            if let bar {
                let rect = Rect(
                    x: barX - 2.5, y: y + bar.lowerBound - 7, width: 5, height: bar.upperBound - bar.lowerBound + 14)
                canvas.addBox(.rectangle(rect, fill: theme.ink, stroke: nil), rect: rect, name: "rearrange")
            }
        }
    }
}
