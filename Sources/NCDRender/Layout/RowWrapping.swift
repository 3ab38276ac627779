/// Where a wide diagram breaks into rows (LAYOUT.md): the fewest rows that bring the
/// picture within the target aspect (or `--width`), with breaks chosen by dynamic
/// programming so the rows are as even as they can be, never inside a loop's brackets.
enum RowWrapping {
    /// What breaking one wire costs, as a share of the ideal row width squared: as much as
    /// rows about 17% more uneven.
    static let wirePenalty = 0.03

    /// The height the title adds over the drawing: `DiagramRenderer` sets its baseline 10
    /// points above it, and its capitals rise three quarters of the font's size.
    static let titleBand = 10 + RichText(plain: "T").ascent(in: Metrics.titleFont)

    /// The width-to-height ratio of a scene whose drawing is `width` × `height`, as the
    /// scene will measure it: margins around, the title above.
    static func sceneAspect(width: Double, height: Double, options: RenderOptions) -> Double {
        let margins = 2 * DiagramRenderer.margin
        return (width + margins) / max(height + margins + (options.title ? titleBand : 0), 1)
    }

    /// The gaps (by the column before them) to break at; empty when one row fits.
    /// `columnRights` are the columns' right edges in one row, `height` that row's height.
    /// `wires[c]` is how many wires gap `c` carries: each one broken is an arrow at the end
    /// of a row and another at the start of the next, so a break between stages (a residual
    /// block's sum, one bundle) is preferred to one where a skip runs beside the main line.
    static func breaks(
        columnRights: [Double], wires: [Int] = [], height: Double, loops: [ClosedRange<Int>], options: RenderOptions,
        atLeast least: Int = 1
    ) -> Set<Int> {
        guard let total = columnRights.last, columnRights.count > 2 else { return [] }
        let rowGap = DiagramLayout.rowGap
        func rowsNeeded() -> Int {
            if let width = options.rowWidth, width.isFinite {
                return max(1, Int(min(16, (total / max(width, 1)).rounded(.up))))
            }
            guard let aspect = options.maxAspect, aspect > 0 else { return 1 }
            var k = 1
            while k < columnRights.count - 1 {
                let h = Double(k) * height + Double(k - 1) * rowGap
                if sceneAspect(width: total / Double(k), height: h, options: options) <= aspect { break }
                k += 1
            }
            return k
        }
        // At most 16 rows: a tiny --width must not make the choice cubic in the columns.
        let k = min(max(rowsNeeded(), least), columnRights.count - 1, 16)
        guard k > 1 else { return [] }
        // Gap c lies between columns c and c + 1. None right after the inputs or right before
        // the outputs (a row of bare wire ends), and none inside a loop.
        let allowed = (1..<max(1, columnRights.count - 2)).filter { c in
            !loops.contains { $0.lowerBound <= c && c < $0.upperBound }
        }
        guard allowed.count >= k - 1 else { return [] }
        let ideal = total / Double(k)
        // cost[j][i]: the least cost of j rows ending at the break after column allowed[i].
        let points = [0.0] + allowed.map { columnRights[$0] } + [total]
        let n = points.count
        var cost = Array(repeating: Array(repeating: Double.infinity, count: n), count: k + 1)
        var from = Array(repeating: Array(repeating: -1, count: n), count: k + 1)
        cost[0][0] = 0
        for j in 1...k {
            for i in 1..<n where j < k ? i < n - 1 : i == n - 1 {
                for p in 0..<i where cost[j - 1][p].isFinite {
                    let width = points[i] - points[p]
                    let broken = i < n - 1 && allowed[i - 1] < wires.count ? Double(wires[allowed[i - 1]]) : 0
                    let c = cost[j - 1][p] + (width - ideal) * (width - ideal) + broken * wirePenalty * ideal * ideal
                    if c < cost[j][i] {
                        cost[j][i] = c
                        from[j][i] = p
                    }
                }
            }
        }
        var chosen = Set<Int>()
        var i = n - 1
        for j in stride(from: k, to: 1, by: -1) {
            i = from[j][i]
            guard i > 0 else { return [] }
            chosen.insert(allowed[i - 1])
        }
        return chosen
    }

    /// Which end of a row a connector is at.
    enum End { case leaving, arriving }

    /// Width of a wire's connector at the end and the start of a row.
    static let connectorLength = 16.0
    /// How far a connector curves down (leaving) or comes from above (arriving).
    static let connectorDrop = 8.0

    /// The paper's curved connector where a row breaks: a wire leaving a row bends down
    /// into an arrowhead; one arriving comes from above and turns level into its row. The
    /// arrowhead's tip is a port.
    static func connector(_ end: End, from x: Double, y: Double, theme: Theme, on canvas: inout Canvas) {
        let (l, d) = (connectorLength, connectorDrop)
        let start = end == .leaving ? Point(x, y) : Point(x, y - d)
        let tip = end == .leaving ? Point(x + l, y + d) : Point(x + l, y)
        let (c1, c2) =
            end == .leaving
            ? (Point(x + l / 2, y), Point(x + l - d / 2, y + d / 2))
            : (Point(x + d / 2, y - d / 2), Point(x + l / 2, y))
        // The arrowhead points along the curve's end.
        let (dx, dy) = (tip.x - c2.x, tip.y - c2.y)
        let norm = (dx * dx + dy * dy).squareRoot()
        let (ux, uy) = (dx / norm, dy / norm)
        let shaftEnd = Point(tip.x - 2 * ux, tip.y - 2 * uy)
        canvas.add(PathShape([.move(start), .curve(c1, c2, shaftEnd)], stroke: theme.wire), .wires)
        let back = Point(tip.x - 7 * ux, tip.y - 7 * uy)
        let head = [tip, Point(back.x - 3.5 * uy, back.y + 3.5 * ux), Point(back.x + 3.5 * uy, back.y - 3.5 * ux)]
        canvas.add(.polygon(head, fill: theme.ink, stroke: nil), .dots)
        canvas.ports.append(tip)
    }
}
