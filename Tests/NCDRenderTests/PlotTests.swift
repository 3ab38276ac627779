import NCDRender
import XCTest

/// The training plots: round ticks, logarithmic decades, lines inside their frame, and a
/// legend that avoids the data when a corner allows.
final class PlotTests: XCTestCase {
    func testTicksAreRoundStepsInsideTheRange() {
        XCTAssertEqual(Ticks.values(in: 0...1).map { ($0 * 10).rounded() / 10 }, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(Ticks.values(in: 0.95...0.98).count, 4, "0.98 / 0.01 is 97.999…, still a tick")
        XCTAssertEqual(Ticks.values(in: 3...870, target: 6), [200, 400, 600, 800])
        XCTAssertEqual(Ticks.label(-1e-17, step: 0.5), "0.0")
        XCTAssertEqual(Ticks.label(250, step: 50), "250")
        XCTAssertEqual(Ticks.decades(in: -2...0).map(\.1), ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"])
        XCTAssertEqual(Ticks.decades(in: -3...1).map(\.1), ["0.001", "0.01", "0.1", "1", "10"])
    }

    func testLinesStayInTheirFrameAndTheLegendAvoidsThem() throws {
        // A falling curve fills the upper left: the legend goes to the upper right.
        let falling = (0...50).map { Point(Double($0), 2 * exp(-Double($0) / 10)) }
        let chart = LineChart(
            title: "Loss", xLabel: "step", series: [LineChart.Series("train", points: falling, color: .black)],
            logarithmic: true)
        let scene = PlotLayout.scene([chart], width: 600, chartHeight: 300)
        let frames = scene.shapes.compactMap { shape -> PathShape? in
            if case .path(let p) = shape, p.fill == nil, p.elements.count == 5 { return p }
            return nil
        }
        let frame = try XCTUnwrap(frames.first).points
        let (left, right) = (frame.map(\.x).min()!, frame.map(\.x).max()!)
        let (top, bottom) = (frame.map(\.y).min()!, frame.map(\.y).max()!)
        let lines = scene.shapes.compactMap { shape -> [Point]? in
            if case .path(let p) = shape, p.stroke?.width == 1.5 { return p.points }
            return nil
        }
        let curve = try XCTUnwrap(lines.first)
        XCTAssertEqual(curve.count, 51)
        for p in curve { XCTAssertTrue(p.x >= left && p.x <= right && p.y >= top && p.y <= bottom, "\(p)") }
        let legend = try XCTUnwrap(
            scene.shapes.compactMap { shape -> [Point]? in
                if case .path(let p) = shape, p.fill == .white { return p.points }
                return nil
            }.first)
        XCTAssertGreaterThan(legend.map(\.x).min()!, (left + right) / 2, "on the right")
        XCTAssertLessThan(legend.map(\.y).max()!, (top + bottom) / 2, "at the top")
        XCTAssertFalse(
            curve.contains { p in
                p.x >= legend.map(\.x).min()! && p.x <= legend.map(\.x).max()! && p.y >= legend.map(\.y).min()!
                    && p.y <= legend.map(\.y).max()!
            })
    }
}
