/// Colours and line weights: the figures' pastel palette, or black on white for print.
public struct Theme: Sendable {
    public var name: String
    public var background: Color
    public var ink: Color
    /// Fill of a learned layer's box (L₊, ★ convolutions).
    public var learnedFill: Color
    /// Fill of other operation boxes and glyphs (softmax triangles, normalisation circles).
    public var operationFill: Color
    /// Front face of a sub-diagram's 3-D box, and its darker sides.
    public var blockFill: Color
    public var blockSide: Color
    /// Background of an opened sub-diagram, by nesting level.
    public var frameFills: [Color]
    public var frameStroke: Stroke
    public var tagFill: Color
    /// Fills of the source's titled regions, in turn, and the call-out notes' box.
    public var regionFills: [Color]
    public var noteFill: Color
    public var noteStroke: Stroke
    public var wireWidth: Double
    public var boxStroke: Stroke

    /// The figures' look: pastel frames and fills.
    public static let paper = Theme(
        name: "paper", background: .white, ink: .black,
        learnedFill: Color(hex: 0xE6ECE9), operationFill: Color(hex: 0xC8E6C9),
        blockFill: Color(hex: 0x4FE0C0), blockSide: Color(hex: 0x35B89C),
        frameFills: [Color(hex: 0xFCE3C8), Color(hex: 0xD9D2EC), Color(hex: 0xCFE8F6), Color(hex: 0xF8F1B6)],
        frameStroke: Stroke(Color(hex: 0x8A8A8A), width: 0.8, dash: [1.5, 2.5]),
        tagFill: Color(hex: 0x333333),
        regionFills: [Color(hex: 0xF9DADF), Color(hex: 0xE4E4E4), Color(hex: 0xDCE9F7), Color(hex: 0xE7DDF3)],
        noteFill: Color(hex: 0xFBF3BF), noteStroke: Stroke(Color(hex: 0xB8AE6A), width: 0.6), wireWidth: 1.1,
        boxStroke: Stroke(Color(hex: 0x222222), width: 0.9))

    /// Black on white, for print.
    public static let plain = Theme(
        name: "plain", background: .white, ink: .black,
        learnedFill: .white, operationFill: .white, blockFill: .white, blockSide: Color(hex: 0xDDDDDD),
        frameFills: [.white], frameStroke: Stroke(.black, width: 0.8, dash: [1.5, 2.5]),
        tagFill: .black, regionFills: [Color(hex: 0xF0F0F0)], noteFill: .white,
        noteStroke: Stroke(.black, width: 0.6), wireWidth: 1.1, boxStroke: Stroke(.black, width: 1))

    public static let all = [paper, plain]

    var wire: Stroke { Stroke(ink, width: wireWidth) }
    var separator: Stroke { Stroke(ink, width: 1.2, dash: [6, 4]) }

    func frameFill(level: Int) -> Color { frameFills[level % frameFills.count] }

    func regionFill(_ k: Int) -> Color { regionFills[k % regionFills.count] }
}
