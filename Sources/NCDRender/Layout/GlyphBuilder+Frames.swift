import NCDCore

/// A sub-diagram opened in place: its own layout inside a titled frame. Axes the call is
/// broadcast over (`over h`) run in a band under the frame, joined at a dot where several
/// inputs carry them (the paper's diagonalised heads).
extension GlyphBuilder {
    func expandedCall(_ op: Operation, _ child: DiagramGraph, _ ins: [[Axis]], _ outs: [[Axis]], broadcast: Set<String>)
        -> Glyph
    {
        var layout = DiagramLayout(graph: child, options: options, level: level + 1, namesAtEdges: false)
        layout.renames = boundNames(child, ins, broadcast: broadcast)
        let inner = layout.layout()
        let pad = 10.0
        let titleBand = 20.0
        let font = Font(.sans, size: 12)
        let title = callTitle(op, child)
        let frameWidth = max(inner.bounds.width + 2 * pad, title.width(in: font) + 2 * pad)
        let frameTop = inner.bounds.y - pad - titleBand
        let frameBottom = inner.bounds.maxY + pad
        var band: [String] = []
        for a in outs.joined() where broadcast.contains(a.name) && !band.contains(a.name) { band.append(a.name) }
        // The band runs over the frame when the broadcast axes lead every input (`over b` on
        // [b, seq, d]), under it otherwise, so the wires keep their order.
        let leads = ins.allSatisfy { axes in
            axes.prefix { broadcast.contains($0.name) }.count == axes.filter { broadcast.contains($0.name) }.count
        }
        let bandY = Dictionary(
            uniqueKeysWithValues: band.enumerated().map { j, name in
                (
                    name,
                    leads
                        ? frameTop - 16 - Double(band.count - 1 - j) * Metrics.pitch
                        : frameBottom + 16 + Double(j) * Metrics.pitch
                )
            })
        func ports(_ tracks: [[Axis]], _ innerPorts: [[Point]]) -> [[Double]] {
            zip(tracks, innerPorts + Array(repeating: [], count: max(0, tracks.count - innerPorts.count))).map {
                axes, points in
                var next = points.makeIterator()
                return axes.map { a in bandY[a.name] ?? next.next()?.y ?? frameBottom }
            }
        }
        let inPorts = ports(ins, inner.inputPorts)
        let outPorts = ports(outs, inner.outputPorts)
        let width = frameWidth + 2 * Metrics.stub
        let bottom = max(frameBottom, (bandY.values.max() ?? frameBottom) + 4)
        let top = min(frameTop, (bandY.values.min() ?? frameTop) - 4)
        let theme = self.theme
        let level = self.level
        // Dashed lines between the segments, the band's wires aside.
        func separators(_ rows: [[Double]]) -> [Double] {
            Glyph.separators(rows.map { $0.filter { r in !band.contains { bandY[$0] == r } } })
        }
        return Glyph(
            inPorts: inPorts, outPorts: outPorts, width: width, top: top, bottom: bottom,
            reorders: true, separators: (separators(inPorts), separators(outPorts))
        ) { canvas, left, y in
            let frame = Rect(x: left + Metrics.stub, y: y + frameTop, width: frameWidth, height: frameBottom - frameTop)
            let dx = frame.x + (frameWidth - inner.bounds.width) / 2 - inner.bounds.x
            canvas.merge(inner.canvas, dx: dx, dy: y)
            let path = PathShape.rectangle(frame, fill: theme.frameFill(level: level + 1), stroke: theme.frameStroke)
            canvas.addFrameUnderneath(path, rect: frame, name: child.name)
            canvas.add(
                TextShape(
                    title, at: Point(frame.x + (frameWidth - title.width(in: font)) / 2, frame.y + 15), font: font,
                    color: theme.ink))
            for (rows, points) in zip(inPorts, inner.inputPorts) {
                for p in points where rows.contains(p.y) {
                    canvas.add(.polyline([Point(left, y + p.y), Point(p.x + dx, y + p.y)], stroke: theme.wire), .wires)
                }
            }
            for (rows, points) in zip(outPorts, inner.outputPorts) {
                for p in points where rows.contains(p.y) {
                    canvas.add(
                        .polyline([Point(p.x + dx, y + p.y), Point(left + width, y + p.y)], stroke: theme.wire), .wires)
                }
            }
            // Separators between the segments, from the frame's edge to the inner diagram's.
            let innerLeft = (inner.inputPorts.joined().first?.x ?? 0) + dx
            let innerRight = (inner.outputPorts.joined().first?.x ?? 0) + dx
            for (rows, from, to) in [(inPorts, left, innerLeft), (outPorts, innerRight, left + width)] {
                for sy in separators(rows) {
                    canvas.add(.polyline([Point(from, y + sy), Point(to, y + sy)], stroke: theme.separator), .wires)
                }
            }
            for name in band {
                let by = y + bandY[name]!
                canvas.add(.polyline([Point(left, by), Point(left + width, by)], stroke: theme.wire), .wires)
                if ins.filter({ $0.contains { $0.name == name } }).count > 1 {
                    canvas.add(.circle(center: Point(left + 3, by), radius: 3, fill: theme.ink, stroke: nil), .dots)
                }
            }
        }
    }
}

extension GlyphBuilder {
    /// The callee's axis names as this call binds them: each input's axes, the broadcast
    /// ones aside, match the parameter's in order (as its wires meet the frame). A name
    /// bound two ways is left as it is; names this diagram itself got from its caller pass on.
    func boundNames(_ child: DiagramGraph, _ ins: [[Axis]], broadcast: Set<String>) -> [String: String] {
        var bound: [String: String] = [:]
        var conflicting = Set<String>()
        for (param, axes) in zip(child.inputs, ins) {
            let outer = axes.filter { !broadcast.contains($0.name) }
            for (inner, caller) in zip(child.type(of: param).axes, outer) where inner.name != caller.name {
                let name = renames[caller.name] ?? caller.name
                if let earlier = bound[inner.name], earlier != name { conflicting.insert(inner.name) }
                bound[inner.name] = name
            }
        }
        for name in conflicting { bound[name] = nil }
        return bound
    }
}
