/// Dashed separators are drawn piecewise (a glyph's, a column's, a gap's); where the
/// pieces around one fall away (a gap hides a line whose segments change places), what
/// is left can be a stub of a dash or two at a port, which separates nothing.
extension Canvas {
    /// Shortest run of joined dashed pieces kept: two dashes and their gaps.
    static let shortestSeparator = 20.0

    /// The canvas without runs of dashed lines shorter than `shortestSeparator`.
    func droppingStubSeparators() -> Canvas {
        let layer = layers[Layer.wires.rawValue]
        var pieces: [(index: Int, ends: [Point], length: Double)] = []
        for (i, shape) in layer.enumerated() {
            guard case .path(let p) = shape, let stroke = p.stroke, !stroke.dash.isEmpty, p.fill == nil,
                let first = p.points.first, let last = p.points.last
            else { continue }
            pieces.append((i, [first, last], Self.chordLength(p)))
        }
        // Join pieces that share an end into runs (union-find over the pieces).
        var parent = Array(pieces.indices)
        func root(_ k: Int) -> Int { parent[k] == k ? k : root(parent[k]) }
        var byEnd: [Key: Int] = [:]
        for (k, piece) in pieces.enumerated() {
            for end in piece.ends {
                let key = Key(end)
                if let other = byEnd[key] { parent[root(k)] = root(other) } else { byEnd[key] = k }
            }
        }
        var runLength: [Int: Double] = [:]
        for (k, piece) in pieces.enumerated() { runLength[root(k), default: 0] += piece.length }
        let dropped = Set(
            pieces.indices.filter { runLength[root($0)]! < Self.shortestSeparator }.map { pieces[$0].index })
        guard !dropped.isEmpty else { return self }
        var result = self
        result.replaceLayer(.wires, with: layer.enumerated().filter { !dropped.contains($0.offset) }.map(\.element))
        return result
    }

    /// An end, to half a point: pieces drawn to the same column edge meet there.
    private struct Key: Hashable {
        var x: Int
        var y: Int
        init(_ p: Point) { (x, y) = (Int((p.x * 2).rounded()), Int((p.y * 2).rounded())) }
    }

    /// A path's length along its points' chords (a separator's curves are shallow).
    private static func chordLength(_ p: PathShape) -> Double {
        var total = 0.0
        for (a, b) in zip(p.points, p.points.dropFirst()) {
            total += ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
        }
        return total
    }
}
