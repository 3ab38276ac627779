import NCDCore

/// Marks on wires that pass through: elementwise arrows, softmax triangles, normalisation
/// circles, reduction ends, index tags, units and dangling ends.
extension GlyphBuilder {
    /// Wires straight across a column, drawn under whatever mark sits on them.
    /// Level wires across a glyph; where a mark stands on a row (`mark(y)` is the span it
    /// covers there), the wire ends at the mark's edge and goes on from its far side, so no
    /// wire runs hidden under a mark's fill.
    private func straight(
        _ rows: [Double], width: Double, on canvas: inout Canvas, left: Double, y: Double,
        mark: (Double) -> ClosedRange<Double>? = { _ in nil }
    ) {
        for r in rows {
            let ends = [left] + (mark(y + r).map { [$0.lowerBound, $0.upperBound] } ?? []) + [left + width]
            for pair in stride(from: 0, to: ends.count, by: 2) {
                canvas.add(
                    .polyline([Point(ends[pair], y + r), Point(ends[pair + 1], y + r)], stroke: theme.wire), .wires)
            }
        }
    }

    /// A small filled arrowhead pointing right, its tip at `tip`.
    func arrowhead(at tip: Point, size: Double = 5) -> PathShape {
        .polygon(
            [
                tip, Point(tip.x - size * 1.4, tip.y - size * 0.75), Point(tip.x - size, tip.y),
                Point(tip.x - size * 1.4, tip.y + size * 0.75),
            ],
            fill: theme.ink, stroke: nil)
    }

    /// `➤R➤`: an elementwise function or scaling, written on an arrow above the wires it is
    /// lifted over.
    func arrowed(_ axes: [Axis], label: RichText, font: Font) -> Glyph {
        let rows = Glyph.stack([axes])
        let textWidth = label.width(in: font)
        let width = textWidth + 30
        let arrowY = (rows[0].first ?? 0) - 14
        let theme = self.theme
        return Glyph(
            inPorts: rows, outPorts: rows, width: width, top: arrowY - label.ascent(in: font) + 2,
            bottom: (rows[0].last ?? 0) + 2
        ) { canvas, left, y in
            straight(rows[0], width: width, on: &canvas, left: left, y: y)
            let textX = left + (width - textWidth) / 2
            let ay = y + arrowY
            canvas.add(arrowhead(at: Point(textX - 2, ay)), .dots)
            canvas.add(arrowhead(at: Point(left + width - 2, ay)), .dots)
            canvas.add(
                .polyline(
                    [Point(textX + textWidth + 1, ay), Point(left + width - 4, ay)], stroke: Stroke(theme.ink, width: 1)
                ), .dots)
            let text = TextShape(label, at: Point(textX, ay + font.size * 0.33), font: font, color: theme.ink)
            canvas.add(text)
            canvas.boxes.append(
                BoxRecord(
                    kind: .operation, name: "elementwise",
                    rect: Rect(
                        x: textX - 9, y: text.bounds.y, width: width - (textX - 9 - left), height: text.bounds.height)))
        }
    }

    /// A triangle on the wires of the softmax axes, its point towards the input.
    func softmax(_ axes: [Axis], axes names: Set<String>, log: Bool) -> Glyph {
        let rows = Glyph.stack([axes])
        let marked = zip(rows[0], axes).filter { names.contains($0.1.name) }.map(\.0)
        let centre = ((marked.min() ?? 0) + (marked.max() ?? 0)) / 2
        let half = max(9, ((marked.max() ?? 0) - (marked.min() ?? 0)) / 2 + 9)
        let width = 40.0
        let theme = self.theme
        return Glyph(
            inPorts: rows, outPorts: rows, width: width,
            top: min(centre - half - (log ? 12 : 0), (rows[0].first ?? 0) - 2),
            bottom: max(centre + half, (rows[0].last ?? 0) + 2)
        ) { canvas, left, y in
            let cx = left + width / 2
            let cy = y + centre
            straight(rows[0], width: width, on: &canvas, left: left, y: y) { row in
                // The triangle's point is at its left; its edges widen to its right side.
                abs(row - cy) < half ? (cx - 11 + 22 * abs(row - cy) / half)...(cx + 11) : nil
            }
            let triangle = PathShape.polygon(
                [Point(cx - 11, cy), Point(cx + 11, cy - half), Point(cx + 11, cy + half)],
                fill: theme.operationFill, stroke: theme.boxStroke)
            canvas.addBox(triangle, rect: Rect(x: cx - 11, y: cy - half, width: 22, height: 2 * half), name: "softmax")
            if log {
                canvas.add(
                    TextShape(
                        RichText(plain: "log"), at: Point(cx - 8, cy - half - 3), font: Metrics.noteFont,
                        color: theme.ink))
            }
        }
    }

    /// A circle on the normalised wires (bold: it learns an affine map).
    func normalize(_ axes: [Axis], axes names: Set<String>, kind: Normalization) -> Glyph {
        let rows = Glyph.stack([axes])
        let marked = zip(rows[0], axes).filter { names.contains($0.1.name) }.map(\.0)
        let centre = ((marked.min() ?? 0) + (marked.max() ?? 0)) / 2
        // Large enough that the caption reads at the size of the wires' labels.
        let caption = RichText(plain: kind == .layer ? "LN" : kind == .rms ? "RMS" : "BN")
        let font = Font(.sans, size: 10)
        let radius = max(caption.width(in: font) / 2 + 4, ((marked.max() ?? 0) - (marked.min() ?? 0)) / 2 + 9)
        let width = 2 * radius + 16
        let theme = self.theme
        return Glyph(
            inPorts: rows, outPorts: rows, width: width, top: min(centre - radius, (rows[0].first ?? 0) - 2),
            bottom: max(centre + radius, (rows[0].last ?? 0) + 2)
        ) { canvas, left, y in
            let c = Point(left + width / 2, y + centre)
            straight(rows[0], width: width, on: &canvas, left: left, y: y) { row in
                let dy = abs(row - c.y)
                guard dy < radius else { return nil }
                let halfChord = (radius * radius - dy * dy).squareRoot()
                return (c.x - halfChord)...(c.x + halfChord)
            }
            let circle = PathShape.circle(
                center: c, radius: radius, fill: theme.operationFill, stroke: Stroke(theme.ink, width: 1.8))
            canvas.addBox(
                circle, rect: Rect(x: c.x - radius, y: c.y - radius, width: 2 * radius, height: 2 * radius),
                name: "normalize")
            canvas.add(
                TextShape(
                    caption, at: Point(c.x - caption.width(in: font) / 2, c.y + 3.5), font: font, color: theme.ink))
        }
    }

    /// `𝔼→`: the reduced wires end in the reduction's symbol; the rest move up to close ranks.
    func reduce(_ input: [Axis], _ output: [Axis], axes names: Set<String>, symbol: String) -> Glyph {
        let inRows = Glyph.stack([input])
        let outRows = Glyph.stack([output])
        let font = Font(.serif, size: 13)
        let label = RichText(plain: symbol)
        let width = label.width(in: font) + 40
        let theme = self.theme
        return Glyph(
            inPorts: inRows, outPorts: outRows, width: width, top: (inRows[0].first ?? 0) - 12,
            bottom: (inRows[0].last ?? 0) + 4
        ) { canvas, left, y in
            let endX = left + 12
            for (r, a) in zip(inRows[0], input) {
                if names.contains(a.name) {
                    canvas.add(.polyline([Point(left, y + r), Point(endX, y + r)], stroke: theme.wire), .wires)
                    let text = TextShape(label, at: Point(endX + 2, y + r + 4.5), font: font, color: theme.ink)
                    canvas.add(text)
                    canvas.add(arrowhead(at: Point(text.bounds.maxX + 9, y + r), size: 4), .dots)
                    canvas.boxes.append(BoxRecord(kind: .operation, name: "reduce", rect: text.bounds))
                } else if let o = output.firstIndex(where: { $0.name == a.name }) {
                    canvas.add(
                        .wire(from: Point(left, y + r), to: Point(left + width, y + outRows[0][o]), stroke: theme.wire),
                        .wires)
                }
            }
        }
    }

    /// A dark tag on the indexed or sliced wire: an index ends the wire, a slice goes on.
    func tag(_ input: [Axis], _ output: [Axis], axis: String, text: String, ends: Bool) -> Glyph {
        let inRows = Glyph.stack([input])
        let outRows = Glyph.stack([output])
        let font = Font(.sans, size: 8, bold: true)
        let label = RichText(plain: text)
        let tagWidth = label.width(in: font) + 12
        let width = tagWidth + 28
        let theme = self.theme
        return Glyph(
            inPorts: inRows, outPorts: outRows, width: width, top: (inRows[0].first ?? 0) - 8,
            bottom: (inRows[0].last ?? 0) + 8
        ) { canvas, left, y in
            let tx = left + 10
            for (r, a) in zip(inRows[0], input) {
                if a.name == axis {
                    canvas.add(.polyline([Point(left, y + r), Point(tx, y + r)], stroke: theme.wire), .wires)
                    if !ends, let o = output.firstIndex(where: { $0.name == axis }) {
                        canvas.add(
                            .wire(
                                from: Point(tx + tagWidth, y + r), to: Point(left + width, y + outRows[0][o]),
                                stroke: theme.wire), .wires)
                    }
                    let body = PathShape.polygon(
                        [
                            Point(tx, y + r - 7), Point(tx + tagWidth - 6, y + r - 7), Point(tx + tagWidth, y + r),
                            Point(tx + tagWidth - 6, y + r + 7), Point(tx, y + r + 7),
                        ], fill: theme.tagFill, stroke: nil)
                    canvas.addBox(body, rect: Rect(x: tx, y: y + r - 7, width: tagWidth, height: 14), name: "index")
                    canvas.add(TextShape(label, at: Point(tx + 4, y + r + 3), font: font, color: .white))
                } else if let o = output.firstIndex(where: { $0.name == a.name }) {
                    canvas.add(
                        .wire(from: Point(left, y + r), to: Point(left + width, y + outRows[0][o]), stroke: theme.wire),
                        .wires)
                }
            }
        }
    }

    /// The unit: a cup from which two wires of equal size leave.
    func unit(_ output: [Axis]) -> Glyph {
        let rows = Glyph.stack([output])
        let width = 26.0
        let theme = self.theme
        return Glyph(
            inPorts: [], outPorts: rows, width: width, top: (rows[0].first ?? 0) - 2, bottom: (rows[0].last ?? 0) + 2
        ) { canvas, left, y in
            guard rows[0].count == 2 else { return }
            let (a, b) = (y + rows[0][0], y + rows[0][1])
            let x = left + 8
            let bulge = (b - a) * 0.66
            canvas.add(
                PathShape(
                    [
                        .move(Point(left + width, a)), .line(Point(x + bulge, a)),
                        .curve(Point(x, a), Point(x, b), Point(x + bulge, b)), .line(Point(left + width, b)),
                    ], stroke: theme.wire), .wires)
        }
    }

    /// An unused value: its wires end in dots.
    func discard(_ input: [Axis]) -> Glyph {
        let rows = Glyph.stack([input])
        let theme = self.theme
        return Glyph(
            inPorts: rows, outPorts: [], width: 14, top: (rows[0].first ?? 0) - 4, bottom: (rows[0].last ?? 0) + 4
        ) { canvas, left, y in
            for r in rows[0] {
                canvas.add(.polyline([Point(left, y + r), Point(left + 8, y + r)], stroke: theme.wire), .wires)
                canvas.add(.circle(center: Point(left + 8, y + r), radius: 2.5, fill: theme.ink, stroke: nil), .dots)
            }
        }
    }
}
