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

    static func flatten(_ p: PathShape) -> [Point] {
        var out: [Point] = []
        for e in p.elements {
            switch e {
            case .move(let a), .line(let a): out.append(a)
            case .curve(let c1, let c2, let end):
                guard let start = out.last else { continue }
                for k in 1...24 {
                    let t = Double(k) / 24
                    let u = 1 - t
                    out.append(
                        Point(
                            u * u * u * start.x + 3 * u * u * t * c1.x + 3 * u * t * t * c2.x + t * t * t * end.x,
                            u * u * u * start.y + 3 * u * u * t * c1.y + 3 * u * t * t * c2.y + t * t * t * end.y))
                }
            case .close: break
            }
        }
        return out
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
            return (p, Crossings.flatten(p))
        }
    }

    /// Where a wire runs inside an operation's box or mark (more than 1 pt in from its
    /// edge) that it neither enters (an end on or in the box: a port, a bar's middle) nor
    /// passes over as a broadcast wire: "box name: point" for each.
    static func throughBoxes(in scene: Scene) -> [String] {
        let passes = scene.broadcastPasses.map { ($0.path, $0.box) }
        var found: [String] = []
        for (path, points) in lines(in: scene) {
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
        let lines = lines(in: scene, separators: true).map(\.points)
        return texts.compactMap { t -> String? in
            for line in lines {
                // Between flattened points too: a straight wire has only its two ends.
                for (a, b) in zip(line, line.dropFirst()) {
                    for k in 0...16 {
                        let u = Double(k) / 16
                        let p = Point(a.x + u * (b.x - a.x), a.y + u * (b.y - a.y))
                        if t.bounds.holds(p, inset: 1) { return "\(t.text.plainText) at \(p)" }
                    }
                }
            }
            return nil
        }
    }
}

extension Rect {
    /// Whether `p` is more than `inset` inside (a negative inset: at most that far outside).
    func holds(_ p: Point, inset: Double) -> Bool {
        p.x > x + inset && p.x < maxX - inset && p.y > y + inset && p.y < maxY - inset
    }
}
