/// A typeface of the two families the renderer uses (DejaVu Sans and DejaVu Serif, from
/// Debian's fonts-dejavu-core).
public struct Font: Hashable, Sendable {
    public enum Family: String, Sendable {
        case sans = "DejaVu Sans"
        case serif = "DejaVu Serif"
    }

    public var family: Family
    public var size: Double
    public var bold: Bool
    public var italic: Bool

    public init(_ family: Family, size: Double, bold: Bool = false, italic: Bool = false) {
        self.family = family
        self.size = size
        self.bold = bold
        self.italic = italic
    }
}

/// A piece of text set one way: normal, lowered (subscript) or raised (superscript), optionally overbarred.
public struct TextRun: Hashable, Sendable {
    public enum Position: Hashable, Sendable { case normal, lowered, raised }

    public var text: String
    public var position: Position
    /// Drawn with a bar over it, as in `x̄`.
    public var overbar: Bool

    public init(_ text: String, _ position: Position = .normal, overbar: Bool = false) {
        self.text = text
        self.position = position
        self.overbar = overbar
    }
}

/// Text with sub- and superscripts: an axis label (`d_ff`, `k^-1/2`, `x̄`) or a box's name.
public struct RichText: Hashable, Sendable {
    public var runs: [TextRun]

    public init(_ runs: [TextRun]) {
        self.runs = runs
    }

    public init(plain: String) {
        self.runs = [TextRun(plain)]
    }

    public var plainText: String { runs.map(\.text).joined() }

    /// Scale of a sub- or superscript run relative to the base size.
    static let scriptScale = 0.7

    /// Each run's horizontal offset and its font, for drawing and measuring alike.
    func placed(in font: Font) -> [(run: TextRun, x: Double, font: Font, baselineShift: Double)] {
        var x = 0.0
        return runs.map { run in
            var f = font
            var shift = 0.0
            switch run.position {
            case .normal: break
            case .lowered:
                f.size *= Self.scriptScale
                shift = 0.25 * font.size
            case .raised:
                f.size *= Self.scriptScale
                shift = -0.4 * font.size
            }
            defer { x += TextMetrics.width(run.text, font: f) }
            return (run, x, f, shift)
        }
    }

    /// The advance width in this font.
    public func width(in font: Font) -> Double {
        placed(in: font).last.map { $0.x + TextMetrics.width($0.run.text, font: $0.font) } ?? 0
    }

    /// Extent above the baseline (positive) in this font, room for overbars and superscripts.
    public func ascent(in font: Font) -> Double {
        runs.map { run -> Double in
            let base =
                run.position == .raised ? 0.4 * font.size + 0.75 * font.size * Self.scriptScale : 0.75 * font.size
            return run.overbar ? base + 0.12 * font.size : base
        }.max() ?? 0
    }

    /// Extent below the baseline.
    public func descent(in font: Font) -> Double {
        runs.contains { $0.position == .lowered }
            ? 0.25 * font.size + 0.22 * font.size * Self.scriptScale : 0.22 * font.size
    }
}

/// Text placed in the scene: `origin` is the left end of its baseline.
public struct TextShape: Hashable, Sendable {
    public var text: RichText
    public var origin: Point
    public var font: Font
    public var color: Color

    public init(_ text: RichText, at origin: Point, font: Font, color: Color = .black) {
        self.text = text
        self.origin = origin
        self.font = font
        self.color = color
    }

    /// The box the text occupies, from the renderer's own metrics.
    public var bounds: Rect {
        let ascent = text.ascent(in: font)
        return Rect(
            x: origin.x, y: origin.y - ascent, width: text.width(in: font),
            height: ascent + text.descent(in: font))
    }
}
