/// Advance widths, built in rather than asked of the installed fonts, so that a layout is
/// the same on every machine (LAYOUT.md: no font dependence). The figures are DejaVu Sans'
/// own advances in thousandths of an em, rounded up; the backends place every run at these
/// offsets, so text never drifts from its measured box.
public enum TextMetrics {
    /// The advance of `text` in `font`.
    public static func width(_ text: String, font: Font) -> Double {
        let perMille = text.unicodeScalars.reduce(0) { $0 + advance($1) }
        let weight = font.bold ? 1.1 : 1.0
        let family = font.family == .serif ? 1.03 : 1.0
        return Double(perMille) / 1000 * font.size * weight * family
    }

    private static func advance(_ s: Unicode.Scalar) -> Int {
        // Combining marks (the macron of x̄) take no room.
        if (0x300...0x36F).contains(s.value) { return 0 }
        if s.isASCII, let w = ascii[s] { return w }
        if let w = symbols[s] { return w }
        if s.properties.isUppercase { return 760 }
        if (0x1D400...0x1D7FF).contains(s.value) { return 800 }  // mathematical letters such as 𝔼
        return 660
    }

    /// Signs the labels and notes use that are far from the default width: the middle dot
    /// of `64·2^λ`, the ellipsis of a note, the minus, times and arrow signs.
    private static let symbols: [Unicode.Scalar: Int] = [
        "\u{B7}": 318, "\u{2026}": 1000, "\u{2212}": 838, "\u{D7}": 838, "\u{2192}": 838,
    ]

    private static let ascii: [Unicode.Scalar: Int] = {
        var table: [Unicode.Scalar: Int] = [:]
        let lower = [
            613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974,
            634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525,
        ]
        let upper = [
            684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863,
            748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685,
        ]
        for (i, w) in lower.enumerated() { table[Unicode.Scalar(UInt8(97 + i))] = w }
        for (i, w) in upper.enumerated() { table[Unicode.Scalar(UInt8(65 + i))] = w }
        for d in 48...57 { table[Unicode.Scalar(UInt8(d))] = 636 }
        let punctuation: [Character: Int] = [
            " ": 318, "(": 390, ")": 390, ",": 318, ".": 318, ":": 337, ";": 337, "-": 361, "+": 838,
            "*": 500, "/": 337, "=": 838, "_": 500, "^": 838, "[": 390, "]": 390, "<": 838, ">": 838,
            "!": 400, "?": 531, "'": 275, "\"": 460, "#": 838, "%": 950, "&": 780, "|": 337, "~": 838,
            "{": 636, "}": 636, "@": 1000, "$": 636, "\\": 337, "`": 500,
        ]
        for (c, w) in punctuation { table[c.unicodeScalars.first!] = w }
        return table
    }()
}
