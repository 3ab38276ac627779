/// The dashed lines between tuple segments: their heights across a column and where a
/// gap's line meets the columns on either side.
extension DiagramLayout {
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

        /// The separator between the members holding tracks `u` and `l`, if they are neighbours.
        func neighbours(_ u: Int, _ l: Int) -> Double? {
            guard let a = member[u], let b = member[l], b == a + 1 else { return nil }
            return separators[a]
        }

        /// Where one member holds both tracks, its own separator between them nearest `near`
        /// (an opened frame's, which leaves out the broadcast band its inputs share).
        func own(_ u: Int, _ l: Int, near: Double) -> Double? {
            guard let a = member[u], member[l] == a else { return nil }
            return own[a].min { abs($0 - near) < abs($1 - near) }
        }
    }
}
