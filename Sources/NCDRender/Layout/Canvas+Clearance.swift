/// Finding room for text placed after the wires (a loop's bounds): a spot is clear when no
/// line, text or box drawn so far touches it.
extension Canvas {
    /// The first of `candidates` (text origins, in order of preference) where `text` in
    /// `font` touches nothing drawn; the first candidate if none is clear.
    func clearSpot(for text: RichText, font: Font, candidates: [Point]) -> Point {
        let boxes = self.boxes.map(\.rect)
        let drawn = layers.joined()
        return candidates.first { origin in
            let r = TextShape(text, at: origin, font: font).bounds
            if boxes.contains(where: { $0.overlaps(r) }) { return false }
            return !drawn.contains { shape in
                switch shape {
                case .text(let t): return t.bounds.overlaps(r)
                case .path(let p): return p.fill == nil && p.stroke != nil && Self.path(p, touches: r)
                }
            }
        } ?? candidates[0]
    }

    /// Whether an open path's line (curves flattened) passes through `r`.
    private static func path(_ p: PathShape, touches r: Rect) -> Bool {
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
