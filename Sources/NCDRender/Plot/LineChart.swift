import Foundation

/// A chart of lines against a shared x axis: training curves (loss against steps, accuracy
/// against steps), drawn as a scene for the same Cairo backend as diagrams.
public struct LineChart: Sendable {
    /// One line, with its legend entry.
    public struct Series: Sendable {
        public var label: String
        public var points: [Point]
        public var color: Color
        /// Marks each point with a dot (sparse series: one value per epoch).
        public var dots: Bool

        public init(_ label: String, points: [Point], color: Color, dots: Bool = false) {
            self.label = label
            self.points = points
            self.color = color
            self.dots = dots
        }
    }

    public var title: String
    public var xLabel: String
    public var series: [Series]
    /// A fixed y range (accuracy in 0…1); otherwise the data's, widened to round ticks.
    public var yRange: ClosedRange<Double>?
    /// A logarithmic y axis in whole decades (losses, which fall by orders of magnitude);
    /// points at or below 0 are left out.
    public var logarithmic: Bool

    public init(
        title: String, xLabel: String, series: [Series], yRange: ClosedRange<Double>? = nil, logarithmic: Bool = false
    ) {
        self.title = title
        self.xLabel = xLabel
        self.series = series
        self.yRange = yRange
        self.logarithmic = logarithmic
    }

    /// The colours of the paper's figures' palette, for series in order.
    public static let palette = [
        Color(hex: 0x1F77B4), Color(hex: 0xD62728), Color(hex: 0x2CA02C), Color(hex: 0x9467BD),
    ]
}

/// "Nice" tick values: steps of 1, 2 or 5 times a power of ten covering a range with about
/// `target` ticks.
public enum Ticks {
    public static func values(in range: ClosedRange<Double>, target: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let rough = span / Double(max(1, target))
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        // A hair of slack, so that 0.98 / 0.01 = 97.999… still ends on 0.98.
        let first = (range.lowerBound / step - 1e-9).rounded(.up)
        let last = (range.upperBound / step + 1e-9).rounded(.down)
        guard first <= last else { return [range.lowerBound] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// A tick's text: as few digits as the step needs (and never "-0").
    public static func label(_ value: Double, step: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step)).rounded()))
        return String(format: "%.\(min(decimals, 6))f", abs(value) < step * 1e-9 ? 0 : value)
    }

    /// Ticks of a logarithmic axis whose range is given in decades (log₁₀): 1, 2 and 5 per
    /// decade when it spans at most two, else one per decade; as (log₁₀ value, text).
    public static func decades(in range: ClosedRange<Double>) -> [(Double, String)] {
        let multiples: [Double] = range.upperBound - range.lowerBound <= 2 ? [1, 2, 5] : [1]
        var ticks: [(Double, String)] = []
        for decade in Int(range.lowerBound.rounded(.down))...Int(range.upperBound.rounded(.up)) {
            for m in multiples {
                let value = m * pow(10, Double(decade))
                let position = log10(value)
                guard range.contains(position) else { continue }
                ticks.append((position, String(format: "%g", value)))
            }
        }
        return ticks
    }

    /// The range widened outward to whole steps of its ticks.
    static func widened(_ range: ClosedRange<Double>, target: Int = 5) -> ClosedRange<Double> {
        let ticks = values(in: range, target: target)
        guard ticks.count >= 2 else {
            let pad = max(abs(range.lowerBound) * 0.1, 1e-3)
            return (range.lowerBound - pad)...(range.upperBound + pad)
        }
        let step = ticks[1] - ticks[0]
        return (floor(range.lowerBound / step) * step)...(ceil(range.upperBound / step) * step)
    }
}
