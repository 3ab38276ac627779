import NCDCore

extension GlyphBuilder {
    /// A memory mark (NOTATION.md, the U-Net figure): a saved value's wires end in an arrow
    /// into its slot, `→ C_λ`; a loaded value's wires start from one, `C_{5−λ} →`. The index
    /// is written as the source writes it, or its value where its loop is drawn unrolled.
    func memoryMark(_ slot: MemorySlot, _ axes: [Axis], saving: Bool, asWritten: Bool) -> Glyph {
        let rows = Glyph.stack([axes])
        let (low, high) = Glyph.span(rows)
        let middle = (low + high) / 2
        let index = asWritten ? Notation.formula(slot.writtenIndex) : RichText(plain: "\(slot.index)")
        let name = RichText(
            Notation.runs(slot.name, .normal) + index.runs.map { TextRun($0.text, .lowered, overbar: $0.overbar) })
        let font = Font(.serif, size: 20)
        let (stub, arrow) = (10.0, 18.0)
        let textWidth = name.width(in: font)
        let width = stub + arrow + 6 + textWidth + 4
        let theme = self.theme
        let ascent = name.ascent(in: font)
        let descent = name.descent(in: font)
        return Glyph(
            inPorts: saving ? rows : [], outPorts: saving ? [] : rows, width: width,
            top: min(low, middle - ascent / 2) - 4, bottom: max(high, middle + descent + ascent / 2) + 4
        ) { canvas, left, y in
            // Saving: wires, a bundle's arrow, the name. Loading: the name, an arrow, wires.
            let wiresFrom = saving ? left : left + width - stub
            let arrowFrom = saving ? left + stub : left + 4 + textWidth + 6
            let textX = saving ? left + stub + arrow + 6 : left + 4
            for r in rows[0] {
                let joined = saving ? Point(wiresFrom + stub, y + middle) : Point(wiresFrom, y + middle)
                let own = saving ? Point(wiresFrom, y + r) : Point(wiresFrom + stub, y + r)
                canvas.add(.polyline(saving ? [own, joined] : [joined, own], stroke: theme.wire), .wires)
            }
            let tip = Point(arrowFrom + arrow, y + middle)
            canvas.add(.polyline([Point(arrowFrom, y + middle), tip], stroke: Stroke(theme.ink, width: 1.4)), .dots)
            canvas.add(
                .polygon(
                    [tip.offset(1, 0), tip.offset(-6, -4), tip.offset(-6, 4)], fill: theme.ink, stroke: nil), .dots)
            let text = TextShape(name, at: Point(textX, y + middle + ascent / 2 - 2), font: font, color: theme.ink)
            canvas.addBox(
                .rectangle(text.bounds, fill: nil, stroke: nil), rect: text.bounds, name: saving ? "save" : "load")
            canvas.add(text)
        }
    }
}
