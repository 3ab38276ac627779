import NCDCore

/// Figure annotations from the source (`region "Title" note "…" { … }`): a pastel region
/// around the marks of the operations its statements make and the labels between them, its
/// title at the top left, and a call-out note set against it where it touches nothing else
/// (the paper's "Double Convolution" region and "The C_λ values are saved to memory…").
enum Regions {
    /// One region's place in the layout: the columns it spans and its members' cells.
    struct Group {
        var region: Region
        var depth: Int
        var columns: ClosedRange<Int>
        /// (column, member) of each of its operations.
        var cells: [(column: Int, member: Int)]
        /// The loops it is drawn inside: those all its operations are in.
        var loops: Set<LoopID>
    }

    /// Room between a region's edge and what it holds: above and below, and at its sides
    /// (less, as a label of a wire leaving it starts a few points past the column).
    static let pad = 6.0
    static let sidePad = 3.0
    static let titleBand = 15.0
    static let titleFont = Font(.sans, size: 11)
    static let noteFont = Font(.serif, size: 11)
    /// A note's text is wrapped to lines at most this wide.
    static let noteWidth = 200.0
    static let noteLine = 14.0
    static let notePad = 6.0

    /// The regions that have something drawn in this layout, innermost first.
    static func groups(_ flow: FlowGraph, _ members: [[FlowGraph.Member]], _ regions: [Region]) -> [Group] {
        var cells: [RegionID: [(Int, Int)]] = [:]
        var loops: [RegionID: Set<LoopID>] = [:]
        for (c, column) in members.enumerated() {
            for (k, m) in column.enumerated() {
                guard case .node(let n) = m, case .operation(let op) = flow.nodes[n].kind else { continue }
                // The loops around the whole region: those every one of its operations is in.
                let around = Set(op.loops.map(\.loop))
                for r in op.regions {
                    cells[r, default: []].append((c, k))
                    loops[r] = loops[r]?.intersection(around) ?? around
                }
            }
        }
        func depth(_ r: Region) -> Int { r.parent.map { 1 + depth(regions[$0]) } ?? 0 }
        return regions.compactMap { r -> Group? in
            guard let found = cells[r.id], let first = found.map(\.0).min(), let last = found.map(\.0).max() else {
                return nil
            }
            return Group(region: r, depth: depth(r), columns: first...last, cells: found, loops: loops[r.id] ?? [])
        }.sorted { ($0.depth, $0.region.id) > ($1.depth, $1.region.id) }
    }

    /// Lays out and draws the regions of a diagram drawn in rows, innermost first: around
    /// its members, the regions inside it and the loops it encloses, one part on each row it
    /// reaches (the title on the first); a loop around a region grows to enclose it.
    static func draw(
        _ groups: [Group], loops: inout [Repetition.Group], glyphs: [[Glyph]], ys: [[Double]],
        spans: [(left: Double, right: Double)], rowStarts: [Int], theme: Theme,
        rows: inout [(canvas: Canvas, left: Double)]
    ) {
        func row(_ column: Int) -> Int { rowStarts.lastIndex { $0 <= column } ?? 0 }
        // Each region's part on each row.
        var drawn: [RegionID: [Int: Rect]] = [:]
        for g in groups {
            let parts = Dictionary(grouping: g.cells) { row($0.column) }
            for (r, cells) in parts.sorted(by: { $0.key < $1.key }) {
                let columns = cells.map(\.column).min()!...cells.map(\.column).max()!
                let members = cells.map { memberRect($0.column, $0.member, glyphs, ys, spans) }
                let inner = groups.filter { $0.region.parent == g.region.id }.compactMap { drawn[$0.region.id]?[r] }
                let enclosed = loops.filter { l in
                    !g.loops.contains(l.loop) && columns.contains(l.columns.lowerBound)
                        && columns.contains(l.columns.upperBound)
                }.map { l in
                    // The brackets and the bounds over and under them.
                    let left = spans[l.columns.lowerBound].left - l.room - 2
                    let right = spans[l.columns.upperBound].right + l.room + 2
                    return Rect(x: left, y: l.top - 30, width: right - left, height: l.bottom - l.top + 50)
                }
                let content = Self.content(members, inner: inner + enclosed, labels: rows[r].canvas.labels)
                let first = r == parts.keys.min()
                let title = g.region.title.map { first ? $0 : "" }
                let rect = title.map { frame(around: content, title: $0) } ?? content
                drawn[g.region.id, default: [:]][r] = rect
                for k in loops.indices where g.loops.contains(loops[k].loop) {
                    loops[k].top = min(loops[k].top, rect.y)
                    loops[k].bottom = max(loops[k].bottom, rect.maxY)
                    let x = loops[k].regions ?? (rect.x, rect.maxX)
                    loops[k].regions = (min(x.left, rect.x), max(x.right, rect.maxX))
                }
                let record = RegionRecord(
                    title: title, rect: title == nil ? nil : rect, content: content, members: members,
                    noteText: first ? g.region.note : nil, note: nil)
                draw(record, colour: g.region.id, theme: theme, on: &rows[r].canvas)
            }
        }
    }

    /// The mark of one member, from its column's span and its place.
    static func memberRect(
        _ c: Int, _ k: Int, _ glyphs: [[Glyph]], _ ys: [[Double]], _ spans: [(left: Double, right: Double)]
    ) -> Rect {
        let glyph = glyphs[c][k]
        let x = spans[c].left + (spans[c].right - spans[c].left - glyph.width) / 2
        return Rect(x: x, y: ys[c][k] + glyph.top, width: glyph.width, height: glyph.bottom - glyph.top)
    }

    /// What a group is drawn around: its marks, the regions inside it, and the wire labels
    /// between its first and last mark at their height.
    static func content(_ members: [Rect], inner: [Rect], labels: [LabelRecord]) -> Rect {
        var r = (members + inner).dropFirst().reduce((members + inner)[0]) { $0.union($1) }
        for l in labels where l.rect.x >= r.x && l.rect.maxX <= r.maxX && l.wireY >= r.y && l.wireY <= r.maxY {
            r = r.union(l.rect)
        }
        return r
    }

    /// The filled rectangle of a region around `content`, with a band for its title (none
    /// when it is empty), and wide enough for it.
    static func frame(around content: Rect, title: String) -> Rect {
        let top = content.y - pad - (title.isEmpty ? 0 : titleBand)
        let width = max(content.width + 2 * sidePad, titleWidth(title))
        let x = content.x + content.width / 2 - width / 2
        return Rect(x: x, y: top, width: width, height: content.maxY + pad - top)
    }

    static func titleWidth(_ title: String) -> Double {
        title.isEmpty ? 0 : RichText(plain: title).width(in: titleFont) + 10
    }

    /// The least width of a column that is a whole region by itself, so that its title fits.
    static func minimumColumnWidths(_ groups: [Group]) -> [Int: Double] {
        var widths: [Int: Double] = [:]
        for g in groups where g.columns.count == 1 {
            let c = g.columns.lowerBound
            widths[c] = max(widths[c] ?? 0, titleWidth(g.region.title ?? "") - 2 * sidePad)
        }
        return widths
    }

    /// Draws a region's fill and title under everything drawn, and records it.
    static func draw(_ record: RegionRecord, colour: Int, theme: Theme, on canvas: inout Canvas) {
        canvas.regions.append(record)
        guard let rect = record.rect, let title = record.title else { return }
        canvas.addUnderneath(.rectangle(rect, fill: theme.regionFill(colour), stroke: nil))
        if !title.isEmpty {
            canvas.add(
                TextShape(RichText(plain: title), at: Point(rect.x + 5, rect.y + 12), font: titleFont, color: theme.ink)
            )
        }
    }

    /// Sets every region's note against it (above, below or beside), the first place it
    /// touches nothing else, moved out a little at a time if need be.
    static func placeNotes(theme: Theme, on canvas: inout Canvas) {
        for i in canvas.regions.indices {
            guard let text = canvas.regions[i].noteText, canvas.regions[i].note == nil else { continue }
            let lines = wrap(text)
            let width = (lines.map { $0.width(in: noteFont) }.max() ?? 0) + 2 * notePad
            let height = Double(lines.count) * noteLine + 2 * notePad - 2
            let own = canvas.regions[i].rect
            let anchor = own ?? frame(around: canvas.regions[i].content, title: "")
            // It may lie on its own region and the ones around it, as the paper's notes do.
            let content = canvas.regions[i].content
            let around = canvas.regions.compactMap(\.rect).filter { $0.contains(content) }
            let gap = own == nil ? 4.0 : 0
            let spots: [(Double) -> Point] = [
                { d in Point(anchor.maxX - width, anchor.y - height - gap - d) },
                { d in Point(anchor.x, anchor.y - height - gap - d) },
                { d in Point(anchor.x, anchor.maxY + gap + d) },
                { d in Point(anchor.maxX - width, anchor.maxY + gap + d) },
                { d in Point(anchor.maxX + gap + d, anchor.y) },
                { d in Point(anchor.x - width - gap - d, anchor.y) },
            ]
            // Above or below, a little apart or along if need be, reads better than beside.
            let near = stride(from: 0.0, through: 18, by: 6).flatMap { d in
                spots.prefix(4).flatMap { spot in
                    stride(from: 0.0, through: 48, by: 12).map { along in
                        let p = spot(d)
                        return Point(p.x + (p.x == anchor.x ? along : -along), p.y)
                    }
                }
            }
            let far = stride(from: 0.0, through: 60, by: 6).flatMap { d in spots.map { $0(d) } }
            let candidates = (near + far).map { Rect(x: $0.x, y: $0.y, width: width, height: height) }
            // A hair apart from what it must not touch; against its own region it may lie.
            let box =
                candidates.first { r in
                    !canvas.touchesDrawing(
                        Rect(x: r.x - 1, y: r.y - 1, width: r.width + 2, height: r.height + 2), regionsBut: around)
                } ?? candidates[0]
            canvas.add(.rectangle(box, fill: theme.noteFill, stroke: theme.noteStroke), .labels)
            for (k, line) in lines.enumerated() {
                canvas.add(
                    TextShape(
                        line, at: Point(box.x + notePad, box.y + notePad + 9 + Double(k) * noteLine),
                        font: noteFont, color: theme.ink))
            }
            canvas.regions[i].note = box
        }
    }

    /// The note's words in lines at most ``noteWidth`` wide (a longer word on its own);
    /// a word with `_` or `^` is math (`C_λ` as C with a subscript λ).
    static func wrap(_ text: String) -> [RichText] {
        var lines: [RichText] = []
        var line: [TextRun] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let runs =
                word.contains("_") || word.contains("^") ? Notation.symbol(String(word)).runs : [TextRun(String(word))]
            let candidate = line.isEmpty ? runs : line + [TextRun(" ")] + runs
            if !line.isEmpty, RichText(candidate).width(in: noteFont) > noteWidth {
                lines.append(RichText(line))
                line = runs
            } else {
                line = candidate
            }
        }
        if !line.isEmpty { lines.append(RichText(line)) }
        return lines.isEmpty ? [RichText([])] : lines
    }
}
