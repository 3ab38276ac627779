/// Finding room for what is placed after the wires (a loop's bounds, a note): a spot is
/// clear when no line, text, box or other region drawn so far touches it.
extension Canvas {
    /// The first of `candidates` (text origins, in order of preference) where `text` in
    /// `font` touches nothing drawn; the first candidate if none is clear.
    func clearSpot(for text: RichText, font: Font, candidates: [Point]) -> Point {
        // A little room around it, so that a line does not graze its descenders.
        candidates.first { origin in
            let b = TextShape(text, at: origin, font: font).bounds
            return !touchesDrawing(Rect(x: b.x - 1.5, y: b.y - 1.5, width: b.width + 3, height: b.height + 3))
        } ?? candidates[0]
    }

    /// Whether `r` meets a box, a text or a line; and, with `regionsBut`, a note or the
    /// fill of a region not in that list (text inside a region may lie on its fill).
    func touchesDrawing(_ r: Rect, regionsBut own: [Rect]? = nil) -> Bool {
        if boxes.contains(where: { $0.rect.overlaps(r) }) { return true }
        if let own {
            let other = regions.contains { region in
                (region.rect.map { !own.contains($0) && $0.overlaps(r) } ?? false)
                    || (region.note?.overlaps(r) ?? false)
            }
            if other { return true }
        }
        return layers.joined().contains { shape in
            switch shape {
            case .text(let t): return t.bounds.overlaps(r)
            case .path(let p): return p.fill == nil && p.stroke != nil && Self.path(p, touches: r)
            }
        }
    }

    /// Whether an open path's line (curves flattened) passes through `r`.
    private static func path(_ p: PathShape, touches r: Rect) -> Bool {
        // A curve lies within its control points' box: most paths are ruled out unflattened.
        let points = p.points
        guard let minX = points.map(\.x).min(), let maxX = points.map(\.x).max(),
            let minY = points.map(\.y).min(), let maxY = points.map(\.y).max(),
            maxX >= r.x, minX <= r.maxX, maxY >= r.y, minY <= r.maxY
        else { return false }
        let line = p.flattened(segments: 12)
        return zip(line, line.dropFirst()).contains { segment($0.0, $0.1, touches: r) }
    }

    /// Whether the segment from `a` to `b` meets `r` (sampled every point of its length).
    private static func segment(_ a: Point, _ b: Point, touches r: Rect) -> Bool {
        if max(a.x, b.x) < r.x || min(a.x, b.x) > r.maxX || max(a.y, b.y) < r.y || min(a.y, b.y) > r.maxY {
            return false
        }
        let steps = max(1, Int(abs(b.x - a.x) + abs(b.y - a.y)))
        return (0...steps).contains { k in
            let u = Double(k) / Double(steps)
            let p = Point(a.x + u * (b.x - a.x), a.y + u * (b.y - a.y))
            return p.x >= r.x && p.x <= r.maxX && p.y >= r.y && p.y <= r.maxY
        }
    }
}
