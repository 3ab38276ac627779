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
            // A wire running straight into an opened frame keeps the label it has outside:
            // the frame's first label on it would say the same again.
            for (y, text) in entering {
                if let first = canvas.labels(onWireAt: y, in: x...(x + width)).first, canvas.labels[first].text == text
                {
                    canvas.removeLabel(first)
                }
            }
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

    /// The wires leaving column `c` on the row they entered it, carried straight over a
    /// node (an operation broadcast over them, an elementwise mark, a copy's dot) with the
    /// label they came in with: their run goes on, and `b` is not written at every column.
    private func passedOver(
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
    /// Least room for a dashed line between a mark and the label of the wire below it.
    static let separatorRoom = 8.0

    /// The y of the dashed line between each member of a column and the next: midway
    /// between their wires, as in the gaps, unless that would touch a mark; then midway
    /// in the room left between the upper member's marks and the lower one's first
    /// wire's label (the gap's labels sit there), or between the marks.
    /// A height in `keeping` (the column before's) that runs clear between the two members'
    /// wires and marks is kept instead.
    static func separators(_ glyphs: [Glyph], _ ys: [Double], keeping: [Double] = []) -> [Double] {
        glyphs.indices.dropLast().map { k in
            let low = ys[k] + glyphs[k].bottom
            let high = ys[k + 1] + glyphs[k + 1].top
            if let a = glyphs[k].allPorts.max(), let b = glyphs[k + 1].allPorts.min() {
                let wires = (ys[k] + a + ys[k + 1] + b) / 2
                let clear = (top: max(low, ys[k] + a) + separatorRoom, bottom: min(high, ys[k + 1] + b) - separatorRoom)
                if let kept = keeping.filter({ clear.top <= $0 && $0 <= clear.bottom }).min(by: {
                    abs($0 - wires) < abs($1 - wires)
                }) {
                    return kept
                }
                if wires > low + 3, wires < high - 3 { return wires }
                let room = (top: max(low, ys[k] + a), bottom: min(high, ys[k + 1] + b - labelZone))
                if room.bottom - room.top >= separatorRoom / 2 { return (room.top + room.bottom) / 2 }
            }
            return (low + high) / 2
        }
    }

    /// Draws the wires of one gap with their labels; returns the x where the next column starts.
    /// Midway between two segments' wires: the lower one's first wire and the upper one's
    /// last wire above it (an opened sub-diagram takes broadcast wires far below the rest).
    /// Given where the line is at the gap's other end (`near`), it takes the place between
    /// the two segments' wires closest to that, so that where they pass each other in one
    /// member (an opened frame taking its inputs in another order) it stays level instead
    /// of climbing to a broadcast band over the frame.
    static func between(_ upper: [Double], _ lower: [Double], near: Double? = nil) -> Double {
        let low = lower.min()!
        guard let near else { return ((upper.filter { $0 < low }.max() ?? upper.min()!) + low) / 2 }
        let rows = (upper.map { ($0, true) } + lower.map { ($0, false) }).sorted { $0.0 < $1.0 }
        let places = zip(rows, rows.dropFirst()).filter { $0.0.1 != $0.1.1 }.map { ($0.0.0 + $0.1.0) / 2 }
        return places.min { abs($0 - near) < abs($1 - near) } ?? (upper.max()! + low) / 2
    }

    /// One side of a gap: which member of the column there holds each track, and the
    /// separators between that column's members.
    struct GapSide {
        var member: [Int: Int]
        var separators: [Double]
        /// Each member's own separators between the tracks it takes or sends.
        var own: [[Double]]
    }

    /// The separator between the members holding tracks `u` and `l`, if they are
    /// neighbours; where one member holds both, its own separator nearest `near` (an opened
    /// frame's, which leaves out the broadcast band its inputs share).
    private func boundary(_ u: Int, _ l: Int, _ side: GapSide, near: @autoclosure () -> Double) -> Double? {
        guard let a = side.member[u], let b = side.member[l] else { return nil }
        if b == a + 1 { return side.separators[a] }
        guard a == b, !side.own[a].isEmpty else { return nil }
        let target = near()
        return side.own[a].min { abs($0 - target) < abs($1 - target) }
    }

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
            let neighbours = (
                boundary(u, l, sides.left, near: Self.between(leaving[u]!, leaving[l]!)),
                boundary(u, l, sides.right, near: Self.between(arriving[u]!, arriving[l]!))
            )
            let a = neighbours.0 ?? Self.between(leaving[u]!, leaving[l]!, near: neighbours.1)
            let b =
                boundary(u, l, sides.right, near: a) ?? Self.between(arriving[u]!, arriving[l]!, near: a)
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
