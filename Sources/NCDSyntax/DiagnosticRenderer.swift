/// Renders diagnostics the way a compiler does:
///
/// ```
/// model.ncd:4:20: error[E010]: unknown axis `dmodel`
///     4 |   x = linear[dmodel -> d_ff](x)
///       |              ^~~~~~
///       = help: did you mean `d_model`?
/// ```
public struct DiagnosticRenderer {
    /// Whether to colour the output with ANSI escapes.
    public var colored: Bool

    public init(colored: Bool = false) {
        self.colored = colored
    }

    /// The full text of one diagnostic, ending in a newline.
    public func render(_ d: Diagnostic, in file: SourceFile) -> String {
        let (line, column) = file.lineColumn(of: d.range.start)
        var out = "\(file.name):\(line):\(column): \(paint("\(d.severity.rawValue)[\(d.id.code)]", d.severity)): "
        out += bold(d.message) + "\n"
        out += excerpt(d.range, in: file)
        for note in d.notes {
            if let range = note.range {
                let (nl, nc) = file.lineColumn(of: range.start)
                out += "\(file.name):\(nl):\(nc): note: \(note.message)\n"
                out += excerpt(range, in: file)
            } else {
                out += "      = note: \(note.message)\n"
            }
        }
        for fix in d.fixIts {
            out += "      = help: \(fix.message)\n"
        }
        return out
    }

    /// A one-line summary such as "2 errors, 1 warning generated.".
    public static func summary(errors: Int, warnings: Int) -> String {
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(count(errors, "error")), \(count(warnings, "warning"))"
    }

    /// The longest source line shown whole; a longer one is shown as a window around the
    /// caret, as rustc elides, so a file on one line cannot make every diagnostic print it.
    public static let longestLine = 160
    /// Characters kept on each side of the caret's range in a window.
    static let context = 60

    private func excerpt(_ range: SourceRange, in file: SourceFile) -> String {
        let (line, column) = file.lineColumn(of: range.start)
        let gutter = String(line)
        let pad = String(repeating: " ", count: max(4, gutter.count))
        let lineEnd = line < file.lineStarts.count ? file.lineStarts[line] - 1 : file.bytes.count
        let endColumn = file.lineColumn(of: min(range.end, lineEnd)).column
        var width = max(1, endColumn - column)
        var caret = column - 1
        var (text, length) = file.lineCharacters(line, 0..<(Self.longestLine + 1))
        if length > Self.longestLine {
            width = min(width, Self.longestLine - 2 * Self.context)
            let start = max(0, caret - Self.context)
            let end = min(length, caret + width + Self.context)
            text = (start > 0 ? "…" : "") + file.lineCharacters(line, start..<end).text + (end < length ? "…" : "")
            caret = caret - start + (start > 0 ? 1 : 0)
        }
        text = text.replacingTabs()
        let marker = "^" + String(repeating: "~", count: width - 1)
        var out = "\(String(repeating: " ", count: pad.count - gutter.count))\(gutter) | \(text)\n"
        out += "\(pad) | \(String(repeating: " ", count: caret))\(paint(marker, .error))\n"
        return out
    }

    private func paint(_ text: String, _ severity: Severity) -> String {
        guard colored else { return text }
        let code = severity == .error ? "31" : severity == .warning ? "33" : "36"
        return "\u{1B}[1;\(code)m\(text)\u{1B}[0m"
    }

    private func bold(_ text: String) -> String {
        colored ? "\u{1B}[1m\(text)\u{1B}[0m" : text
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(map { $0 == "\t" ? " " : $0 })
    }
}
