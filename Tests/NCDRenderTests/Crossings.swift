import NCDRender

/// Where solid, open wires of a scene cross, found from the drawn paths themselves (curves
/// flattened to 24 segments), independent of what the layout thinks it drew.
enum Crossings {
    static func points(in scene: Scene) -> [Point] {
        let wires = WirePaths.lines(in: scene).map(\.points)
        let segments = wires.map { w in Array(zip(w, w.dropFirst())) }
        var found: [Point] = []
        for i in segments.indices {
            for j in segments.indices where j > i {
                // Wires that meet at an end (a dot, a shared port) touch there; that is no crossing.
                let ends = [wires[i].first!, wires[i].last!, wires[j].first!, wires[j].last!]
                for a in segments[i] {
                    for b in segments[j] {
                        if let p = intersection(a, b),
                            !ends.contains(where: { abs($0.x - p.x) < 0.5 && abs($0.y - p.y) < 0.5 })
                        {
                            found.append(p)
                        }
                    }
                }
            }
        }
        return dedupe(found)
    }

    /// Where two polylines meet, segment by segment.
    static func meetings(_ a: [Point], _ b: [Point]) -> [Point] {
        zip(a, a.dropFirst()).flatMap { s in zip(b, b.dropFirst()).compactMap { intersection(s, $0) } }
    }

    /// Where two segments meet (at an end included), unless they are collinear.
    static func intersection(_ a: (Point, Point), _ b: (Point, Point)) -> Point? {
        func cross(_ o: Point, _ p: Point, _ q: Point) -> Double {
            (p.x - o.x) * (q.y - o.y) - (p.y - o.y) * (q.x - o.x)
        }
        let d1 = cross(b.0, b.1, a.0)
        let d2 = cross(b.0, b.1, a.1)
        let d3 = cross(a.0, a.1, b.0)
        let d4 = cross(a.0, a.1, b.1)
        guard d1 * d2 <= 0, d3 * d4 <= 0, d1 != d2 else { return nil }
        let t = d1 / (d1 - d2)
        return Point(a.0.x + t * (a.1.x - a.0.x), a.0.y + t * (a.1.y - a.0.y))
    }

    /// Crossings found twice (where a flattened curve's segments meet at the crossing) count once.
    static func dedupe(_ points: [Point]) -> [Point] {
        var kept: [Point] = []
        for p in points where !kept.contains(where: { abs($0.x - p.x) < 0.5 && abs($0.y - p.y) < 0.5 }) {
            kept.append(p)
        }
        return kept
    }
}

/// The lines of a scene (open stroked paths, brackets aside), flattened, and tests on them.
enum WirePaths {
    /// Wires, and with `separators` the dashed lines between segments too.
    static func lines(in scene: Scene, separators: Bool = false) -> [(path: PathShape, points: [Point])] {
        let brackets = Set(scene.repetitions.flatMap(\.brackets))
        return scene.shapes.compactMap { shape in
            guard case .path(let p) = shape, let s = p.stroke, separators || s.dash.isEmpty, p.fill == nil,
                !p.elements.contains(.close), !brackets.contains(p)
            else { return nil }
            return (p, p.flattened())
        }
    }

    /// The dashed separators between tuple segments.
    static func separators(in scene: Scene) -> [(path: PathShape, points: [Point])] {
        lines(in: scene, separators: true).filter { !$0.path.stroke!.dash.isEmpty }
    }

    /// Contraction caps: wire paths that turn back to the x they started at.
    static func caps(in scene: Scene) -> [(path: PathShape, points: [Point])] {
        lines(in: scene).filter { abs($0.points.first!.x - $0.points.last!.x) < 0.01 }
    }

    /// Where a wire runs inside an operation's box or mark (more than 1 pt in from its
    /// edge) that it neither enters (an end on or in the box: a port, a bar's middle) nor
    /// passes over as a broadcast wire: "box name: point" for each.
    static func throughBoxes(in scene: Scene) -> [String] {
        let passes = scene.broadcastPasses.map { ($0.path, $0.box) }
        var found: [String] = []
        for (path, flat) in lines(in: scene) {
            let points = dense(flat)
            for box in scene.boxes where box.kind == .operation {
                if passes.contains(where: { $0.0 == path && $0.1 == box.rect }) { continue }
                if [points.first!, points.last!].contains(where: { box.rect.holds($0, inset: -0.5) }) { continue }
                if let p = points.first(where: { box.rect.holds($0, inset: 1) }) {
                    found.append("\(box.name) at \(box.rect): \(p)")
                }
            }
        }
        return found
    }

    /// Where a wire or separator runs through one of `texts`' bounds (more than 1 pt
    /// inside): "text at point" for each text struck.
    static func throughText(_ texts: [TextShape], in scene: Scene) -> [String] {
        let lines = lines(in: scene, separators: true).map { line -> (points: [Point], extent: Rect) in
            let xs = line.points.map(\.x)
            let ys = line.points.map(\.y)
            let extent = Rect(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)
            return (dense(line.points), extent)
        }
        return texts.compactMap { t -> String? in
            for line in lines where line.extent.overlaps(t.bounds) {
                if let p = line.points.first(where: { t.bounds.holds($0, inset: 1) }) {
                    return "\(t.text.plainText) at \(p)"
                }
            }
            return nil
        }
    }

    /// `points` with points every 2 pt or less between them: a straight wire has only its
    /// two ends, and a test of its points alone would miss what it runs through.
    static func dense(_ points: [Point]) -> [Point] {
        guard let first = points.first else { return [] }
        var out = [first]
        for (a, b) in zip(points, points.dropFirst()) {
            let steps = max(1, Int((abs(b.x - a.x) + abs(b.y - a.y)) / 2))
            for k in 1...steps {
                let u = Double(k) / Double(steps)
                out.append(Point(a.x + u * (b.x - a.x), a.y + u * (b.y - a.y)))
            }
        }
        return out
    }
}

extension Rect {
    /// Whether `r` lies within, to rounding (a union's edges are sums of floats).
    func encloses(_ r: Rect) -> Bool {
        r.x >= x - 1e-9 && r.y >= y - 1e-9 && r.maxX <= maxX + 1e-9 && r.maxY <= maxY + 1e-9
    }

    /// Whether `p` is more than `inset` inside (a negative inset: at most that far outside).
    func holds(_ p: Point, inset: Double) -> Bool {
        p.x > x + inset && p.x < maxX - inset && p.y > y + inset && p.y < maxY - inset
    }
}
