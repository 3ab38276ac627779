/// One step of a path.
public enum PathElement: Hashable, Sendable {
    case move(Point)
    case line(Point)
    /// A cubic Bézier to the last point, with two control points.
    case curve(Point, Point, Point)
    case close
}

/// How a path's outline is drawn.
public struct Stroke: Hashable, Sendable {
    public var color: Color
    public var width: Double
    /// Alternating on/off lengths; empty for a solid line.
    public var dash: [Double]

    public init(_ color: Color = .black, width: Double = 1, dash: [Double] = []) {
        self.color = color
        self.width = width
        self.dash = dash
    }
}

/// A filled and/or stroked path.
public struct PathShape: Hashable, Sendable {
    public var elements: [PathElement]
    public var fill: Color?
    public var stroke: Stroke?

    public init(_ elements: [PathElement], fill: Color? = nil, stroke: Stroke? = nil) {
        self.elements = elements
        self.fill = fill
        self.stroke = stroke
    }

    /// Every point the path names, control points included: its hull's corners.
    public var points: [Point] {
        elements.flatMap { e -> [Point] in
            switch e {
            case .move(let p), .line(let p): return [p]
            case .curve(let a, let b, let c): return [a, b, c]
            case .close: return []
            }
        }
    }

    /// The path as a polyline: its points, each curve replaced by `segments` straight pieces
    /// (what tests and placement measure against; the backends draw the curves).
    public func flattened(segments: Int = 24) -> [Point] {
        var out: [Point] = []
        for e in elements {
            switch e {
            case .move(let a), .line(let a): out.append(a)
            case .curve(let c1, let c2, let end):
                guard let start = out.last else { continue }
                for k in 1...segments {
                    let t = Double(k) / Double(segments)
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

    public static func polyline(_ points: [Point], stroke: Stroke) -> PathShape {
        PathShape([.move(points[0])] + points.dropFirst().map { .line($0) }, stroke: stroke)
    }

    public static func polygon(_ points: [Point], fill: Color?, stroke: Stroke?) -> PathShape {
        PathShape([.move(points[0])] + points.dropFirst().map { .line($0) } + [.close], fill: fill, stroke: stroke)
    }

    public static func rectangle(_ r: Rect, fill: Color?, stroke: Stroke?) -> PathShape {
        polygon(
            [Point(r.x, r.y), Point(r.maxX, r.y), Point(r.maxX, r.maxY), Point(r.x, r.maxY)], fill: fill, stroke: stroke
        )
    }

    /// A circle as four Bézier quarters (κ = 0.5523 keeps the error under 0.03 %).
    public static func circle(center c: Point, radius r: Double, fill: Color?, stroke: Stroke?) -> PathShape {
        let k = 0.5523 * r
        return PathShape(
            [
                .move(Point(c.x + r, c.y)),
                .curve(Point(c.x + r, c.y + k), Point(c.x + k, c.y + r), Point(c.x, c.y + r)),
                .curve(Point(c.x - k, c.y + r), Point(c.x - r, c.y + k), Point(c.x - r, c.y)),
                .curve(Point(c.x - r, c.y - k), Point(c.x - k, c.y - r), Point(c.x, c.y - r)),
                .curve(Point(c.x + k, c.y - r), Point(c.x + r, c.y - k), Point(c.x + r, c.y)),
                .close,
            ], fill: fill, stroke: stroke)
    }

    /// A wire from `a` to `b`: straight when level, else a cubic with horizontal tangents
    /// whose control points sit `bend`·dx in from each end (LAYOUT.md, routing: 0.4).
    /// Unequal bends at the two ends make the curve lean, so that crossing wires meet apart.
    /// `level` keeps the wire straight for that length at its start and end, so that it
    /// changes rows only between them (clear of a bar or a sign beside it).
    public static func wire(
        from a: Point, to b: Point, stroke: Stroke, bends: (start: Double, end: Double) = (0.4, 0.4),
        level: (start: Double, end: Double) = (0, 0)
    ) -> PathShape {
        if abs(a.y - b.y) < 0.01 || b.x - a.x <= 0 { return polyline([a, b], stroke: stroke) }
        let (p, q) = (Point(a.x + level.start, a.y), Point(b.x - level.end, b.y))
        let dx = q.x - p.x
        var elements: [PathElement] = [.move(a)]
        if level.start > 0 { elements.append(.line(p)) }
        elements.append(.curve(Point(p.x + bends.start * dx, p.y), Point(q.x - bends.end * dx, q.y), q))
        if level.end > 0 { elements.append(.line(b)) }
        return PathShape(elements, stroke: stroke)
    }
}

/// A drawable: a path or a line of text.
public enum Shape: Hashable, Sendable {
    case path(PathShape)
    case text(TextShape)
}
