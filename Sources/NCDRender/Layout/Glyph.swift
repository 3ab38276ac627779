import NCDCore

/// Spacing of the picture, in points.
enum Metrics {
    /// Distance between adjacent wires of one array.
    static let pitch = 22.0
    /// Distance between the last wire of one tuple segment and the first of the next.
    static let trackGap = 42.0
    /// Least room between the marks of two members of a column.
    static let memberGap = 8.0
    /// Room between a box's edge and the wires it spans.
    static let boxPadding = 9.0
    /// Length of the wire stubs between a glyph's edge and its box.
    static let stub = 8.0
    static let labelFont = Font(.serif, size: 12, italic: true)
    static let boxFont = Font(.sans, size: 13)
    static let learnedFont = Font(.sans, size: 18, bold: true)
    static let noteFont = Font(.sans, size: 8.5)
    static let titleFont = Font(.sans, size: 14, bold: true)
}

/// How one column member is drawn: where its wires enter and leave (relative to its
/// reference y), how wide and tall it is, and a function that draws it in place.
struct Glyph {
    /// Per input track, the y of each wire's port on the left edge.
    var inPorts: [[Double]]
    /// Per output track, the y of each wire's port on the right edge.
    var outPorts: [[Double]]
    var width: Double
    /// Extent above and below the reference y, marks and annotations included.
    var top: Double
    var bottom: Double
    /// Whether wires may cross inside it.
    var reorders = false
    /// The ys of the dashed lines it draws to its left and right edges, which its column
    /// carries on to the column's edges when the glyph is narrower.
    var separators: (left: [Double], right: [Double]) = ([], [])
    /// Draws the glyph with its left edge at `left` and reference y at `y`.
    var draw: (inout Canvas, _ left: Double, _ y: Double) -> Void

    var allPorts: [Double] { (inPorts + outPorts).flatMap { $0 } }

    /// The wires of `tracks` stacked from `start`: one pitch apart, a track gap between arrays.
    /// `order` lists the tracks top to bottom (default: as given); rows come back per track.
    static func stack(_ tracks: [[Axis]], from start: Double = 0, order: [Int]? = nil) -> [[Double]] {
        var y = start
        var rows = Array(repeating: [Double](), count: tracks.count)
        for (i, t) in (order ?? Array(tracks.indices)).enumerated() {
            let axes = tracks[t]
            if i > 0, !axes.isEmpty { y += Metrics.trackGap - Metrics.pitch }
            rows[t] = axes.indices.map { y + Double($0) * Metrics.pitch }
            y += Double(axes.count) * Metrics.pitch
        }
        return rows
    }

    /// Midway between each tuple segment of `rows` and the next one down: where the dashed
    /// line between them runs.
    static func separators(_ rows: [[Double]]) -> [Double] {
        let visual = topToBottom(rows)
        return zip(visual, visual.dropFirst()).map { ($0.0.max()! + $0.1.min()!) / 2 }
    }

    /// Non-empty tracks' rows, top to bottom: neighbours here have a dashed line between them.
    static func topToBottom(_ rows: [[Double]]) -> [[Double]] {
        rows.filter { !$0.isEmpty }.sorted { $0.min()! < $1.min()! }
    }

    /// The rows where the tracks carry the axis `name`, one for each track that has it.
    static func rows(of name: String, _ rows: [[Double]], _ tracks: [[Axis]]) -> [Double] {
        zip(rows, tracks).compactMap { rows, axes in axes.firstIndex { $0.name == name }.map { rows[$0] } }
    }

    /// The span from the first to the last wire of stacked tracks (0 when empty).
    static func span(_ rows: [[Double]]) -> (min: Double, max: Double) {
        let all = rows.flatMap { $0 }
        return (all.min() ?? 0, all.max() ?? 0)
    }

    /// `rows` moved so that their span is centred on `other`'s.
    static func centred(_ rows: [[Double]], on other: [[Double]]) -> [[Double]] {
        let a = span(rows)
        let b = span(other)
        let shift = ((b.min + b.max) - (a.min + a.max)) / 2
        return rows.map { $0.map { $0 + shift } }
    }

    /// A track carried straight through a column.
    static func pass(_ axes: [Axis], theme: Theme) -> Glyph {
        let rows = stack([axes])
        return Glyph(
            inPorts: rows, outPorts: rows, width: 0, top: (rows[0].first ?? 0) - 2, bottom: (rows[0].last ?? 0) + 2
        ) { _, _, _ in }
    }
}
