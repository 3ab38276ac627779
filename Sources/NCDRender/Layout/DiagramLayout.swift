import NCDCore

/// Lays out one diagram (LAYOUT.md pipeline steps 2–7): glyphs in columns, a y for every
/// member (aligned with the wires it takes, pushed down only to keep members apart), column
/// and gap widths from glyphs and label widths, then wires, labels and separators.
struct DiagramLayout {
    /// A laid-out diagram in its own coordinates, ready to be placed in a scene or a frame.
    struct Result {
        var canvas: Canvas
        var bounds: Rect
        /// Per diagram input, its wires' ports on the left edge; per output, on the right.
        var inputPorts: [[Point]]
        var outputPorts: [[Point]]
    }

    let graph: DiagramGraph
    let options: RenderOptions
    let level: Int
    /// Whether to write input and output names at the edges.
    let namesAtEdges: Bool
    /// Inside an opened call, the caller's names for the callee's axes (`y` is `ȳ`), so
    /// its wires are labelled with the axes bound to them.
    var renames: [String: String] = [:]

    func layout() -> Result {
        let flow = FlowGraph(graph, unroll: options.unroll, memoryAsWires: options.memoryAsWires)
        var builder = GlyphBuilder(theme: options.theme, options: options, level: level)
        builder.renames = renames
        let glyphs: [[Glyph]] = flow.columns.enumerated().map { c, members in
            c == 0
                ? flow.inputTracks.map { Glyph.pass(flow.tracks[$0].axes, theme: options.theme) }
                : members.map { m in
                    switch m {
                    case .pass(let t): return Glyph.pass(flow.tracks[t].axes, theme: options.theme)
                    case .node(let n): return builder.glyph(for: flow.nodes[n], in: flow, graph: graph)
                    }
                }
        }
        let members: [[FlowGraph.Member]] = [flow.inputTracks.map { .pass($0) }] + flow.columns.dropFirst()
        let ys = placeVertically(flow, members, glyphs)
        // What every drawing of the rows shares, worked out once.
        let shared = Shared(
            sizes: SizeLabels(graph: graph, flow: flow, annotation: options.annotation, renames: renames),
            regions: Regions.groups(flow, members, graph.regions))
        let whole = draw(flow, members, glyphs, ys, shared)
        // Only the diagram itself wraps: an opened sub-diagram stays one frame.
        guard level == 0, namesAtEdges else { return whole.result }
        let loops = Repetition.groups(flow, members, glyphs, ys).map(\.columns)
        func tooWide(_ r: Result) -> Bool {
            // `--width` bounds the picture, margins included.
            if let width = options.rowWidth { return r.bounds.width + 2 * DiagramRenderer.margin > width }
            guard let limit = options.maxAspect else { return false }
            return RowWrapping.sceneAspect(width: r.bounds.width, height: r.bounds.height, options: options) > limit
        }
        // The row count comes from an estimate of the rows' widths and heights; one more row
        // while the drawn picture is still wider than the aspect or the width allows (up to
        // 16, or as many as there are places to break).
        let wires = members.map { $0.flatMap(flow.outputs).map { flow.tracks[$0].axes.count }.reduce(0, +) }
        var result = whole.result
        var rows = 1
        while rows <= 16 {
            let breaks = RowWrapping.breaks(
                columnRights: whole.columnRights, wires: wires, height: whole.result.bounds.height, loops: loops,
                options: options, atLeast: rows)
            if !breaks.isEmpty { result = draw(flow, members, glyphs, ys, shared, breaks: breaks).result }
            guard tooWide(result), breaks.count + 1 >= rows else { return result }
            rows = breaks.count + 2
        }
        return result
    }

    /// Each member's reference y: aligned with its inputs' wires, below its predecessor.
    private func placeVertically(_ flow: FlowGraph, _ members: [[FlowGraph.Member]], _ glyphs: [[Glyph]]) -> [[Double]]
    {
        var leaving: [Int: [Double]] = [:]
        var result: [[Double]] = []
        for (column, glyphRow) in zip(members, glyphs) {
            var ys: [Double] = []
            var previous: (bottom: Double, lastWire: Double)?
            for (m, g) in zip(column, glyphRow) {
                let incoming = flow.inputs(m).enumerated().flatMap { i, t in
                    zip(leaving[t] ?? [], g.inPorts.indices.contains(i) ? g.inPorts[i] : []).map { ($0, $1) }
                }
                var y =
                    incoming.isEmpty
                    ? (previous.map { $0.lastWire + Metrics.trackGap - (g.allPorts.min() ?? 0) } ?? 0)
                    : incoming.map { $0.0 - $0.1 }.reduce(0, +) / Double(incoming.count)
                if let previous {
                    y = max(y, previous.bottom + Metrics.memberGap - g.top)
                    if let first = g.allPorts.min() {
                        y = max(y, previous.lastWire + Metrics.trackGap - first)
                        // Room under a mark hanging below the wires (a cost note) for the
                        // dashed line and the label over this member's first wire.
                        y = max(y, previous.bottom + Self.separatorRoom + Self.labelZone - first)
                    }
                }
                ys.append(y)
                for (t, rows) in zip(flow.outputs(m), g.outPorts) { leaving[t] = rows.map { $0 + y } }
                let lastWire = g.allPorts.max().map { $0 + y } ?? previous?.lastWire ?? y
                previous = (y + g.bottom, lastWire)
            }
            result.append(ys)
        }
        return result
    }

    /// What each label says and where the regions are, the same for one row or several.
    struct Shared {
        var sizes: SizeLabels
        var regions: [Regions.Group]
    }

    /// Draws every column and gap. A gap in `breaks` ends its row: its wires bend down into
    /// arrowheads and come again, from above, into the left of the next row, which is placed
    /// below (LAYOUT.md's wrapping; the paper's U-Net figure continues its wires so).
    private func draw(
        _ flow: FlowGraph, _ members: [[FlowGraph.Member]], _ glyphs: [[Glyph]], _ ys: [[Double]],
        _ shared: Shared, breaks: Set<Int> = []
    ) -> (result: Result, columnRights: [Double]) {
        let (sizes, regions) = (shared.sizes, shared.regions)
        var canvas = Canvas()
        // Per column, where each track enters it and where it leaves it.
        var arriving = Array(repeating: [Int: [Double]](), count: members.count)
        var leaving = arriving
        for c in members.indices {
            for (k, m) in members[c].enumerated() {
                let g = glyphs[c][k]
                let y = ys[c][k]
                for (t, rows) in zip(flow.inputs(m), g.inPorts) where c > 0 { arriving[c][t] = rows.map { $0 + y } }
                for (t, rows) in zip(flow.outputs(m), g.outPorts) { leaving[c][t] = rows.map { $0 + y } }
            }
        }
        var x = 0.0
        var inputPorts: [[Point]] = []
        var outputPorts: [[Point]] = []
        var loops = Repetition.groups(flow, members, glyphs, ys)
        for k in loops.indices where regions.contains(where: { $0.loops.contains(loops[k].loop) }) {
            loops[k].room = Repetition.roomAroundRegions
        }
        var spans: [(left: Double, right: Double)] = []
        // Finished rows, each with the x its first column starts at.
        var rows: [(canvas: Canvas, left: Double)] = []
        var rowLeft = 0.0
        // The wires that ran straight through the last gap: carried on through a column
        // untouched, they are one straight run and keep the label they have.
        var straight = Set<WireKey>()
        // Each column's dashed lines between its members, each kept at the height it had in
        // the column before where it still runs clear there, so a line does not jog at
        // every column (attention's keys | v line, level until v is used).
        var columnSeparators: [[Double]] = []
        for c in members.indices {
            columnSeparators.append(Self.separators(glyphs[c], ys[c], keeping: columnSeparators.last ?? []))
        }
        // The wires that ran straight into the next column, with what they are labelled.
        var entering: [(y: Double, text: RichText)] = []
        let leastWidths = Regions.minimumColumnWidths(regions)
        for c in members.indices {
            let width = max(glyphs[c].map(\.width).max() ?? 0, leastWidths[c] ?? 0)
            spans.append((x, x + width))
            drawColumn(
                c, members[c], glyphs[c], ys[c], separators: columnSeparators[c], left: x, width: width, flow: flow,
                on: &canvas)
            Self.dropRepeatedLabels(entering: entering, in: x...(x + width), on: &canvas)
            if c == 0 { inputPorts = flow.inputTracks.map { t in (leaving[0][t] ?? []).map { Point(x, $0) } } }
            x += width
            if c == members.count - 1 {
                outputPorts = members[c].flatMap(flow.inputs).map { t in (arriving[c][t] ?? []).map { Point(x, $0) } }
                break
            }
            let gap = members[c].flatMap(flow.outputs)
            if breaks.contains(c) {
                // The row ends in arrows; the next starts with them, then the gap as usual.
                let ends = gap.flatMap { leaving[c][$0] ?? [] }
                // Past a loop's closing bracket, not through it.
                let clear = loops.first { $0.columns.upperBound == c }.map { $0.room + 2 } ?? 0
                for y in ends {
                    if clear > 0 {
                        canvas.add(.polyline([Point(x, y), Point(x + clear, y)], stroke: options.theme.wire), .wires)
                    }
                    RowWrapping.connector(.leaving, from: x + clear, y: y, theme: options.theme, on: &canvas)
                }
                rows.append((canvas, rowLeft))
                canvas = Canvas()
                rowLeft = x
                for y in ends { RowWrapping.connector(.arriving, from: x, y: y, theme: options.theme, on: &canvas) }
                x += RowWrapping.connectorLength
            }
            func side(_ column: Int, _ tracksOf: (FlowGraph.Member) -> [Int], outputs: Bool) -> GapSide {
                var member: [Int: Int] = [:]
                for (k, m) in members[column].enumerated() { for t in tracksOf(m) { member[t] = k } }
                let own = zip(glyphs[column], ys[column]).map { g, y in
                    (outputs ? g.separators.right : g.separators.left).map { $0 + y }
                }
                return GapSide(member: member, separators: columnSeparators[column], own: own)
            }
            // Brackets of repetition take room at the ends of the gap.
            let room = (
                after: loops.first { $0.columns.upperBound == c }?.room ?? 0,
                before: loops.first { $0.columns.lowerBound == c + 1 }?.room ?? 0
            )
            var passing = Set<Int>()
            for m in members[c] { if case .pass(let t) = m { passing.insert(t) } }
            // Past a loop's closing bracket a wire is labelled again: there it carries the
            // last iteration's size, inside it the loop's.
            let relabel = breaks.contains(c) || room.after > 0
            let labelled = relabel ? nil : straight.filter { passing.contains($0.track) }
            let enclosing = loops.first { g in
                g.columns.lowerBound <= c && c < g.columns.upperBound && flow.drawnOnce.contains(g.loop)
            }
            let labels = gap.map { sizes.labels(track: $0, inside: enclosing.map { flow.loops[$0.loop] }) }
            // And one going on straight out of a frame keeps the label it has inside, as one
            // that a column passes straight over keeps the label it came in with.
            let repeated =
                relabel
                ? []
                : Self.labelledInside(gap, labels, leaving[c], spans[c], canvas).union(
                    passedOver(
                        c, members[c], flow, labels: labels, arriving: arriving[c], leaving: leaving[c],
                        entering: entering))
            let unlabelled = (labelled ?? []).union(repeated)
            x = drawGap(
                gap, labels: labels, from: x, leaving: leaving[c], arriving: arriving[c + 1], room: room,
                sides: (side(c, flow.outputs, outputs: true), side(c + 1, flow.inputs, outputs: false)), flow: flow,
                unlabelled: unlabelled, on: &canvas)
            // What the reader sees a straight wire labelled: this gap's label, or the one it
            // carries on from before.
            entering = zip(gap, labels).flatMap { t, names in
                zip(leaving[c][t] ?? [], arriving[c + 1][t] ?? []).enumerated().compactMap { i, ends in
                    guard abs(ends.0 - ends.1) < 1e-9 else { return nil }
                    if !unlabelled.contains(WireKey(track: t, index: i)) { return (ends.1, names[i]) }
                    return entering.first { abs($0.y - ends.0) < 1e-9 }.map { (ends.1, $0.text) }
                }
            }
            straight = Set(
                gap.flatMap { t in
                    zip(leaving[c][t] ?? [], arriving[c + 1][t] ?? []).enumerated().compactMap { i, ends in
                        abs(ends.0 - ends.1) < 1e-9 ? WireKey(track: t, index: i) : nil
                    }
                })
        }
        rows.append((canvas, rowLeft))
        // Each region and each loop's brackets on the row that holds it (a break never
        // falls inside either); the regions first, so that the brackets enclose them.
        let starts = [0] + breaks.sorted().map { $0 + 1 }
        Regions.draw(
            regions, loops: &loops, glyphs: glyphs, ys: ys, spans: spans,
            rowStarts: starts, theme: options.theme, rows: &rows)
        for g in loops {
            let row = starts.lastIndex { $0 <= g.columns.lowerBound } ?? 0
            Repetition.draw([g], spans, theme: options.theme, on: &rows[row].canvas)
        }
        // Rows one below another, each moved left to start where the first does.
        var merged = rows[0].canvas
        var bottom = merged.bounds?.maxY ?? 0
        var shift = (dx: 0.0, dy: 0.0)
        for row in rows.dropFirst() {
            let top = row.canvas.bounds?.y ?? 0
            shift = (rows[0].left - row.left, bottom + Self.rowGap - top)
            merged.merge(row.canvas, dx: shift.dx, dy: shift.dy)
            bottom = (row.canvas.bounds?.maxY ?? 0) + shift.dy
        }
        outputPorts = outputPorts.map { $0.map { $0.offset(shift.dx, shift.dy) } }
        if namesAtEdges { writeEdgeNames(flow, inputPorts, outputPorts, on: &merged) }
        Regions.placeNotes(theme: options.theme, on: &merged)
        let bounds = merged.bounds ?? Rect(x: 0, y: 0, width: 1, height: 1)
        return (
            Result(canvas: merged, bounds: bounds, inputPorts: inputPorts, outputPorts: outputPorts),
            spans.map(\.right)
        )
    }

    /// One wire of a track: the track and the wire's place in it.
    struct WireKey: Hashable {
        var track: Int
        var index: Int
    }

    /// Room between one row and the next.
    static let rowGap = 36.0
    private func drawColumn(
        _ c: Int, _ members: [FlowGraph.Member], _ glyphs: [Glyph], _ ys: [Double], separators: [Double],
        left: Double, width: Double, flow: FlowGraph, on canvas: inout Canvas
    ) {
        let wire = options.theme.wire
        for (g, y) in zip(glyphs, ys) {
            let gl = left + (width - g.width) / 2
            for row in g.inPorts.joined() where c > 0 {
                if gl > left {
                    canvas.add(.polyline([Point(left, y + row), Point(gl, y + row)], stroke: wire), .wires)
                }
                canvas.ports.append(Point(left, y + row))
            }
            for row in g.outPorts.joined() {
                if gl + g.width < left + width {
                    canvas.add(
                        .polyline([Point(gl + g.width, y + row), Point(left + width, y + row)], stroke: wire), .wires)
                }
                canvas.ports.append(Point(left + width, y + row))
            }
            // A narrower glyph's own dashed lines go on to the column's edges, to meet the gaps'.
            let dashes = [(c > 0 ? g.separators.left : [], left, gl), (g.separators.right, gl + g.width, left + width)]
            for (rows, from, to) in dashes where to > from {
                for r in rows {
                    canvas.add(
                        .polyline([Point(from, y + r), Point(to, y + r)], stroke: options.theme.separator), .wires)
                }
            }
            g.draw(&canvas, gl, y)
            if g.reorders { canvas.reorderRegions.append(left...(left + width)) }
        }
        // Dashed separators between neighbouring members: tuple segments stay apart.
        for sy in separators where c > 0 && width > 0 {
            canvas.add(.polyline([Point(left, sy), Point(left + width, sy)], stroke: options.theme.separator), .wires)
        }
    }

    /// Height over a wire that its label takes.
    static let labelZone = 16.0
    /// Draws the wires of one gap with their labels; returns the x where the next column starts.
    private func drawGap(
        _ tracks: [Int], labels: [[RichText]], from left: Double, leaving: [Int: [Double]], arriving: [Int: [Double]],
        room: (after: Double, before: Double), sides: (left: GapSide, right: GapSide), flow: FlowGraph,
        unlabelled: Set<WireKey> = [], on canvas: inout Canvas
    ) -> Double {
        let font = Metrics.labelFont
        let labelRoom = (labels.joined().map { $0.width(in: font) }.max() ?? 0) + 8 + room.after
        var dy = 0.0
        for t in tracks { for (a, b) in zip(leaving[t] ?? [], arriving[t] ?? []) { dy = max(dy, abs(a - b)) } }
        let bend = dy > 0.5 ? GlyphBuilder.curveRoom(dy) : 8
        let right = left + max(24, labelRoom + bend + room.before)
        var ends: [(Double, Double)] = []
        for (t, names) in zip(tracks, labels) {
            for (i, (a, b)) in zip(leaving[t] ?? [], arriving[t] ?? []).enumerated() {
                let start = Point(left, a)
                let end = Point(right, b)
                let bendStart = Point(left + labelRoom, a)
                var path = PathShape.wire(from: bendStart, to: end, stroke: options.theme.wire)
                path.elements.insert(.move(start), at: 0)
                path.elements[1] = .line(bendStart)
                canvas.add(path, .wires)
                let axis = flow.tracks[t].axes[i]
                canvas.wires.append(WireRecord(axis: axis.name, track: t, start: start, end: end, path: path))
                ends.append((a, b))
                // A label once per straight run of a wire (the paper's way), not in every gap.
                if unlabelled.contains(WireKey(track: t, index: i)) { continue }
                let text = TextShape(
                    names[i], at: Point(left + 4 + room.after, a - 4 - names[i].descent(in: font) + 2), font: font,
                    color: options.theme.ink)
                canvas.add(text)
                canvas.labels.append(
                    LabelRecord(axis: axis.name, track: t, rect: text.bounds, wireY: a, text: names[i]))
            }
        }
        let crosses = ends.indices.contains { i in
            ends[(i + 1)...].contains { (ends[i].0 - $0.0) * (ends[i].1 - $0.1) < 0 }
        }
        if crosses {
            canvas.reorderRegions.append(left...right)
        }
        // Separators between the tuple segments of the gap, continuing the columns' own.
        let drawn = tracks.filter { !(leaving[$0] ?? []).isEmpty && !(arriving[$0] ?? []).isEmpty }
        for (u, l) in zip(drawn, drawn.dropFirst()) {
            let (out, into) = (Self.between(leaving[u]!, leaving[l]!), Self.between(arriving[u]!, arriving[l]!))
            let meets = sides.right.neighbours(u, l)
            let a =
                sides.left.neighbours(u, l) ?? sides.left.own(u, l, near: out)
                ?? Self.between(leaving[u]!, leaving[l]!, near: meets ?? sides.right.own(u, l, near: into))
            let b = meets ?? sides.right.own(u, l, near: a) ?? Self.between(arriving[u]!, arriving[l]!, near: a)
            // Where the two segments change places (every wire of one passes to the other's
            // side), the line would cross all their wires and separate nothing: LAYOUT.md
            // hides it rather than draw it diagonally. One wire leaving (a head's h for its
            // dot) only crosses it.
            if zip(leaving[u]!, arriving[u]!).allSatisfy({ $0.0 > a || $0.1 > b })
                || zip(leaving[l]!, arriving[l]!).allSatisfy({ $0.0 < a || $0.1 < b })
            {
                continue
            }
            // Level past the labels and bending with the wires, so it runs between them.
            canvas.add(
                .wire(
                    from: Point(left, a), to: Point(right, b), stroke: options.theme.separator, level: (labelRoom, 0)),
                .wires)
        }
        return right
    }

    /// Input names left of their wires, output names right of theirs.
    private func writeEdgeNames(_ flow: FlowGraph, _ inputs: [[Point]], _ outputs: [[Point]], on canvas: inout Canvas) {
        let font = Font(.serif, size: 15, italic: true)
        func name(_ v: ValueID) -> RichText? { graph.values[v].name.map { Notation.symbol($0) } }
        for (v, ports) in zip(graph.inputs, inputs) {
            guard let text = name(v), let first = ports.first, let last = ports.last else { continue }
            let w = text.width(in: font)
            canvas.add(
                TextShape(
                    text, at: Point(first.x - w - 8, (first.y + last.y) / 2 + 5), font: font, color: options.theme.ink))
        }
        for (v, ports) in zip(graph.outputs, outputs) {
            guard let text = name(v), let first = ports.first, let last = ports.last else { continue }
            canvas.add(
                TextShape(
                    text, at: Point(first.x + 8, (first.y + last.y) / 2 + 5), font: font, color: options.theme.ink))
        }
    }
}
