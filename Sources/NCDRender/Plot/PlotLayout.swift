import Foundation

/// Lays charts out one above another as a scene: each with a title, a framed plot area,
/// light grid lines at the ticks, tick labels, its lines and a legend in the upper right.
public enum PlotLayout {
    static let font = Font(.sans, size: 11)
    static let titleFont = Font(.sans, size: 13, bold: true)
    static let margin = (left: 58.0, right: 16.0, top: 28.0, bottom: 40.0)
    static let grid = Color(hex: 0xE5E5E5)

    /// The scene of `charts`, each `chartHeight` tall, all `width` wide, sharing one x range
    /// so that a step lines up across them.
    public static func scene(_ charts: [LineChart], width: Double = 640, chartHeight: Double = 260) -> Scene {
        var scene = Scene(width: width, height: chartHeight * Double(max(1, charts.count)), background: .white)
        // The data's own x range: steps start at 0 and end where the run is.
        let xs = charts.flatMap { $0.series.flatMap(\.points) }.map(\.x).filter(\.isFinite)
        let xRange = min(0, xs.min() ?? 0)...max(xs.max() ?? 1, (xs.min() ?? 0) + 1)
        for (k, chart) in charts.enumerated() {
            let cell = Rect(x: 0, y: chartHeight * Double(k), width: width, height: chartHeight)
            draw(chart, xRange: xRange, in: cell, on: &scene)
        }
        return scene
    }

    static func draw(_ chart: LineChart, xRange: ClosedRange<Double>, in cell: Rect, on scene: inout Scene) {
        let area = Rect(
            x: cell.x + margin.left, y: cell.y + margin.top, width: cell.width - margin.left - margin.right,
            height: cell.height - margin.top - margin.bottom)
        // On a logarithmic axis, y is placed by its log₁₀.
        func shown(_ points: [Point]) -> [Point] {
            points.filter { $0.x.isFinite && $0.y.isFinite && (!chart.logarithmic || $0.y > 0) }
                .map { chart.logarithmic ? Point($0.x, log10($0.y)) : $0 }
        }
        let ys = shown(chart.series.flatMap(\.points)).map(\.y)
        let low = ys.min() ?? 0
        let yRange =
            chart.logarithmic
            ? low.rounded(.down)...max((ys.max() ?? 1).rounded(.up), low.rounded(.down) + 1)
            : chart.yRange ?? Ticks.widened(low...max(ys.max() ?? 1, low + 1e-6))
        func place(_ p: Point) -> Point {
            Point(
                area.x + (p.x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * area.width,
                area.y + area.height - (p.y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * area.height
            )
        }
        text(chart.title, centeredAt: cell.x + cell.width / 2, baseline: cell.y + 18, font: titleFont, on: &scene)
        func labelled(_ ticks: [Double]) -> [(Double, String)] {
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
            return ticks.map { ($0, Ticks.label($0, step: step)) }
        }
        let yTicks = chart.logarithmic ? Ticks.decades(in: yRange) : labelled(Ticks.values(in: yRange))
        let xTicks = labelled(Ticks.values(in: xRange, target: 6))
        for (ticks, vertical) in [(yTicks, false), (xTicks, true)] {
            for (t, label) in ticks {
                if vertical {
                    let x = place(Point(t, yRange.lowerBound)).x
                    line(Point(x, area.y), Point(x, area.y + area.height), grid, on: &scene)
                    text(label, centeredAt: x, baseline: area.y + area.height + 15, font: font, on: &scene)
                } else {
                    let y = place(Point(xRange.lowerBound, t)).y
                    line(Point(area.x, y), Point(area.x + area.width, y), grid, on: &scene)
                    let w = TextMetrics.width(label, font: font)
                    scene.shapes.append(
                        .text(TextShape(RichText(plain: label), at: Point(area.x - 6 - w, y + 4), font: font)))
                }
            }
        }
        scene.shapes.append(.path(.rectangle(area, fill: nil, stroke: Stroke(.black, width: 1))))
        text(
            chart.xLabel, centeredAt: area.x + area.width / 2, baseline: cell.y + cell.height - 6, font: font,
            on: &scene)
        for series in chart.series {
            let placed = shown(series.points).map(place)
            if placed.count > 1 {
                scene.shapes.append(.path(.polyline(placed, stroke: Stroke(series.color, width: 1.5))))
            }
            if series.dots || placed.count == 1 {
                for p in placed {
                    scene.shapes.append(.path(.circle(center: p, radius: 2.5, fill: series.color, stroke: nil)))
                }
            }
        }
        legend(
            chart.series, in: area,
            avoiding: shown(chart.series.flatMap(\.points)).map(place), on: &scene)
    }

    /// The legend, in whichever corner of the plot area covers the fewest of its points.
    static func legend(_ series: [LineChart.Series], in area: Rect, avoiding points: [Point], on scene: inout Scene) {
        guard !series.isEmpty else { return }
        let rowHeight = 16.0
        let textWidth = series.map { TextMetrics.width($0.label, font: font) }.max() ?? 0
        let (w, h) = (textWidth + 38, rowHeight * Double(series.count) + 6)
        let corners = [
            Rect(x: area.x + area.width - 8 - w, y: area.y + 8, width: w, height: h),
            Rect(x: area.x + area.width - 8 - w, y: area.y + area.height - 8 - h, width: w, height: h),
            Rect(x: area.x + 8, y: area.y + 8, width: w, height: h),
            Rect(x: area.x + 8, y: area.y + area.height - 8 - h, width: w, height: h),
        ]
        func covered(_ r: Rect) -> Int {
            points.filter {
                $0.x >= r.x - 4 && $0.x <= r.x + r.width + 4 && $0.y >= r.y - 4 && $0.y <= r.y + r.height + 4
            }
            .count
        }
        let box = corners.min { covered($0) < covered($1) }!
        scene.shapes.append(.path(.rectangle(box, fill: .white, stroke: Stroke(Color(hex: 0xBBBBBB), width: 0.8))))
        for (i, s) in series.enumerated() {
            let y = box.y + 3 + rowHeight * (Double(i) + 0.5)
            scene.shapes.append(
                .path(.polyline([Point(box.x + 6, y), Point(box.x + 26, y)], stroke: Stroke(s.color, width: 2))))
            scene.shapes.append(.text(TextShape(RichText(plain: s.label), at: Point(box.x + 32, y + 4), font: font)))
        }
    }

    static func line(_ a: Point, _ b: Point, _ color: Color, on scene: inout Scene) {
        scene.shapes.append(.path(.polyline([a, b], stroke: Stroke(color, width: 0.8))))
    }

    static func text(_ s: String, centeredAt x: Double, baseline: Double, font: Font, on scene: inout Scene) {
        let w = TextMetrics.width(s, font: font)
        scene.shapes.append(.text(TextShape(RichText(plain: s), at: Point(x - w / 2, baseline), font: font)))
    }
}
