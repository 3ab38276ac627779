import NCDCore

/// Boxes: learned layers (bold L₊, ★k), windows and pools (trapezoids), sub-diagrams (3-D
/// boxes), abstract functions and losses. A box spans the wires it acts on; the wires it
/// is broadcast over pass over it.
extension GlyphBuilder {
    enum BoxStyle { case learned, plain, block, trapezoid }

    /// Depth of a 3-D box's sides.
    static let depth = 6.0

    func box(
        _ op: Operation, _ ins: [[Axis]], _ outs: [[Axis]], broadcast: Set<String>, label: RichText, font: Font,
        style: BoxStyle, graph: DiagramGraph
    ) -> Glyph {
        let inRows = Self.passingOnTop(Glyph.stack(ins, order: inputOrder), ins, broadcast: broadcast)
        // Where the passing wires arrive over the box, they leave over it too.
        let over = Self.passingAbove(inRows, ins, broadcast: broadcast)
        let outRows = Self.passingBelow(
            Self.outputRows(
                ins, inRows, outs, broadcast: broadcast,
                stacked: over
                    ? Self.passingOnTop(Glyph.stack(outs), outs, broadcast: broadcast, always: true)
                    : Glyph.stack(outs)),
            outs, inRows, ins, broadcast: broadcast)
        // The rows of wires passing over the box (its label stays clear of them) and of those it acts on.
        let (passing, actedRows) = Self.split(inRows + outRows, ins + outs, broadcast: broadcast)
        var acted = actedRows
        if acted.isEmpty { acted = [(inRows + outRows).flatMap { $0 }.first ?? 0] }
        let boxTop = acted.min()! - Metrics.boxPadding - (font.size > 15 ? 2 : 0)
        let boxBottom = max(acted.max()! + Metrics.boxPadding + (font.size > 15 ? 2 : 0), boxTop + 26)
        let boxWidth = max(style == .trapezoid ? 34 : 30, label.width(in: font) + 16)
        let depth = style == .block ? Self.depth : 0
        let note = costNote(op, graph: graph)
        let noteWidth = note.map { $0.width(in: Metrics.noteFont) } ?? 0
        let joinRun = Self.joinRun(ins, inRows, outs, outRows, broadcast: broadcast)
        let width = joinRun + max(boxWidth + depth, noteWidth) + 2 * Metrics.stub
        let ports = (inRows + outRows).flatMap { $0 }
        let bottom = max(boxBottom + (note == nil ? 0 : 13), (ports.max() ?? 0) + 2)
        let theme = self.theme
        // Broadcast wires that change rows or converge cross the wires entering the box.
        let moves = zip(outRows, outs).contains { rows, axes in
            zip(rows, axes).contains { r, a in
                guard broadcast.contains(a.name) else { return false }
                let sources = Glyph.rows(of: a.name, inRows, ins)
                return sources.count > 1 || sources.contains { $0 != r }
            }
        }

        return Glyph(
            inPorts: inRows, outPorts: outRows, width: width, top: min(boxTop - depth, (ports.min() ?? 0) - 2),
            bottom: bottom, reorders: moves, separators: (Glyph.separators(inRows), Glyph.separators(outRows))
        ) { canvas, left, y in
            let bx = left + joinRun + (width - joinRun - boxWidth - depth) / 2
            let rect = Rect(x: bx, y: y + boxTop, width: boxWidth, height: boxBottom - boxTop)
            for (rows, axes) in zip(inRows, ins) {
                for (r, a) in zip(rows, axes) where !broadcast.contains(a.name) {
                    canvas.add(.polyline([Point(left, y + r), Point(rect.x, y + r)], stroke: theme.wire), .wires)
                }
            }
            for (rows, axes) in zip(outRows, outs) {
                for (r, a) in zip(rows, axes) where !broadcast.contains(a.name) {
                    canvas.add(
                        .polyline([Point(rect.maxX + depth, y + r), Point(left + width, y + r)], stroke: theme.wire),
                        .wires)
                }
            }
            let (outline, extent) = drawBox(rect, style: style, name: op.kind.mnemonic, on: &canvas)
            let baseline =
                y + Self.labelCentre(boxTop, boxBottom, avoiding: passing, textHeight: font.size) + font.size * 0.36
            canvas.add(
                TextShape(
                    label, at: Point(rect.x + (rect.width - label.width(in: font)) / 2, baseline), font: font,
                    color: theme.ink))
            if let note {
                let origin = Point(left + joinRun + (width - joinRun - noteWidth) / 2, rect.maxY + 10)
                canvas.add(TextShape(note, at: origin, font: Metrics.noteFont, color: Color(hex: 0x444444)))
                canvas.boxes.append(
                    BoxRecord(
                        kind: .operation, name: "cost", rect: TextShape(note, at: origin, font: Metrics.noteFont).bounds
                    ))
            }
            // Separators between the segments that enter or leave the box.
            for rows in [inRows, outRows] {
                let (from, to) = rows == inRows ? (left, rect.x) : (rect.maxX + depth, left + width)
                for sy in Glyph.separators(rows) {
                    canvas.add(.polyline([Point(from, y + sy), Point(to, y + sy)], stroke: theme.separator), .wires)
                }
            }
            // Broadcast wires run over the box from their input to their output row; where
            // several inputs carry the axis they meet at a dot first (one axis, diagonal).
            for (rows, axes) in zip(outRows, outs) {
                for (r, a) in zip(rows, axes) where broadcast.contains(a.name) {
                    let sources = Glyph.rows(of: a.name, inRows, ins)
                    guard let first = sources.first else { continue }
                    let junction = sources.count > 1 ? Point(left + joinRun, y + r) : Point(left, y + first)
                    for s in sources where sources.count > 1 {
                        canvas.add(.wire(from: Point(left, y + s), to: junction, stroke: theme.wire), .over)
                    }
                    if sources.count > 1 {
                        canvas.add(.circle(center: junction, radius: 3, fill: theme.ink, stroke: nil), .dots)
                    }
                    let path = PathShape.wire(from: junction, to: Point(left + width, y + r), stroke: theme.wire)
                    canvas.addBroadcast(axis: a.name, box: extent, boxPath: outline, path: path)
                }
            }
        }
    }

    /// Room before the box for a broadcast axis that several inputs carry to join at its
    /// dot, clear of the box's ports (the paper joins the heads outside the box): longer
    /// where the wires rise farther, so they curve rather than climb the box's edge.
    static func joinRun(
        _ ins: [[Axis]], _ inRows: [[Double]], _ outs: [[Axis]], _ outRows: [[Double]], broadcast: Set<String>
    ) -> Double {
        var rise = 0.0
        for (rows, axes) in zip(outRows, outs) {
            for (r, a) in zip(rows, axes) where broadcast.contains(a.name) {
                let sources = Glyph.rows(of: a.name, inRows, ins)
                if sources.count > 1 { rise = max(rise, sources.map { abs($0 - r) }.max()!) }
            }
        }
        return rise == 0 ? 0 : min(80, max(24, rise * 0.4))
    }

    /// Each input's rows with the axes the box is broadcast over moved to the top, where they
    /// would run between the wires it acts on: `ȳ` passes over L^O above `h` and `k`, which
    /// enter side by side (as the paper draws it), not through the box's middle.
    /// With `always`, wherever any acted-on wire would run above a passing one.
    static func passingOnTop(_ inRows: [[Double]], _ ins: [[Axis]], broadcast: Set<String>, always: Bool = false)
        -> [[Double]]
    {
        zip(inRows, ins).map { rows, axes in
            let passes = axes.map { broadcast.contains($0.name) }
            guard let first = passes.firstIndex(of: false), let last = passes.lastIndex(of: always ? true : false),
                passes[first...max(first, last)].contains(true)
            else { return rows }
            let order = axes.indices.filter { passes[$0] } + axes.indices.filter { !passes[$0] }
            var moved = rows
            for (row, axis) in zip(rows.sorted(), order) { moved[axis] = row }
            return moved
        }
    }

    /// Output rows of passing axes that would fall between the wires the box acts on moved
    /// below them, one pitch apart: heads diagonalised over an attention box (each input
    /// carries them) join at a dot and pass under the box, not across its face.
    static func passingBelow(
        _ outRows: [[Double]], _ outs: [[Axis]], _ inRows: [[Double]], _ ins: [[Axis]], broadcast: Set<String>
    ) -> [[Double]] {
        let acted = split(inRows + outRows, ins + outs, broadcast: broadcast).acted
        guard let top = acted.min(), var below = acted.max() else { return outRows }
        var moved = outRows
        for (t, axes) in outs.enumerated() {
            for (i, a) in axes.enumerated() where broadcast.contains(a.name) {
                guard moved[t][i] > top, moved[t][i] < below else { continue }
                below += Metrics.pitch
                moved[t][i] = below
            }
        }
        return moved
    }

    /// Whether every passing wire of the inputs runs above every wire the box acts on.
    static func passingAbove(_ inRows: [[Double]], _ ins: [[Axis]], broadcast: Set<String>) -> Bool {
        let (passing, acted) = split(inRows, ins, broadcast: broadcast)
        guard let low = passing.max(), let high = acted.min() else { return false }
        return low < high
    }

    /// The rows of the wires passing over the box (those it is broadcast over) and of those
    /// it acts on.
    static func split(_ rows: [[Double]], _ tracks: [[Axis]], broadcast: Set<String>)
        -> (passing: [Double], acted: [Double])
    {
        var (passing, acted) = ([Double](), [Double]())
        for (rows, axes) in zip(rows, tracks) {
            for (r, a) in zip(rows, axes) {
                if broadcast.contains(a.name) { passing.append(r) } else { acted.append(r) }
            }
        }
        return (passing, acted)
    }

    /// Output rows stacked so that a broadcast axis leaves on the row it arrived on, level
    /// over the box (`ȳ` over L^O); with none, centred on several inputs.
    static func outputRows(
        _ ins: [[Axis]], _ inRows: [[Double]], _ outs: [[Axis]], broadcast: Set<String>, stacked: [[Double]]
    ) -> [[Double]] {
        for (rows, axes) in zip(stacked, outs) {
            for (r, a) in zip(rows, axes) where broadcast.contains(a.name) {
                for (sources, inAxes) in zip(inRows, ins) {
                    if let i = inAxes.firstIndex(where: { $0.name == a.name }) {
                        return stacked.map { $0.map { $0 + sources[i] - r } }
                    }
                }
            }
        }
        return ins.count > 1 ? Glyph.centred(stacked, on: inRows) : stacked
    }

    /// The y for a box's label: its middle, or, when a passing wire runs there, the middle
    /// of the widest stretch of the box between passing wires.
    static func labelCentre(_ top: Double, _ bottom: Double, avoiding rows: [Double], textHeight: Double) -> Double {
        let middle = (top + bottom) / 2
        let inside = rows.filter { $0 > top && $0 < bottom }.sorted()
        guard inside.contains(where: { abs($0 - middle) < textHeight * 1.2 }) else { return middle }
        let edges = [top] + inside + [bottom]
        let widest = zip(edges, edges.dropFirst()).max { $0.1 - $0.0 < $1.1 - $1.0 }!
        return (widest.0 + widest.1) / 2
    }

    /// Draws a box's outline and fill; returns the path the box record points at and the
    /// box's whole extent (a 3-D box's top and side included).
    func drawBox(_ r: Rect, style: BoxStyle, name: String, on canvas: inout Canvas) -> (PathShape, Rect) {
        let stroke = theme.boxStroke
        switch style {
        case .learned, .plain:
            let path = PathShape.rectangle(
                r, fill: style == .learned ? theme.learnedFill : theme.operationFill, stroke: stroke)
            canvas.addBox(path, rect: r, name: name)
            return (path, r)
        case .trapezoid:
            let inset = min(8, r.height * 0.2)
            let path = PathShape.polygon(
                [Point(r.x, r.y), Point(r.maxX, r.y + inset), Point(r.maxX, r.maxY - inset), Point(r.x, r.maxY)],
                fill: theme.operationFill, stroke: stroke)
            canvas.addBox(path, rect: r, name: name)
            return (path, r)
        case .block:
            let d = Self.depth
            let front = PathShape.rectangle(r, fill: theme.blockFill, stroke: stroke)
            let topFace = PathShape.polygon(
                [Point(r.x, r.y), Point(r.x + d, r.y - d), Point(r.maxX + d, r.y - d), Point(r.maxX, r.y)],
                fill: theme.blockSide, stroke: stroke)
            let side = PathShape.polygon(
                [Point(r.maxX, r.y), Point(r.maxX + d, r.y - d), Point(r.maxX + d, r.maxY - d), Point(r.maxX, r.maxY)],
                fill: theme.blockSide, stroke: stroke)
            canvas.add(topFace, .boxes)
            canvas.add(side, .boxes)
            let extent = Rect(x: r.x, y: r.y - d, width: r.width + d, height: r.height + d)
            canvas.addBox(front, rect: extent, name: name)
            return (front, extent)
        }
    }

    /// `2.1 MFLOP · 40 kB` under a box, with `--annotate cost`.
    func costNote(_ op: Operation, graph: DiagramGraph) -> RichText? {
        guard options.annotation == .cost, let cost = try? graph.cost(of: op) else { return nil }
        return RichText(
            plain: Notation.quantity(cost.flops, unit: "FLOP") + " · " + Notation.quantity(cost.outputBytes, unit: "B"))
    }
}
