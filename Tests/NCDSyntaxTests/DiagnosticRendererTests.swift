import NCDSyntax
import XCTest

final class DiagnosticRendererTests: XCTestCase {
    func testCaretUnderTheRangeCountingCharacters() {
        let file = SourceFile(name: "m.ncd", text: "axis x̄ = 2\n  y = linear[dmodel -> d](x̄)\n")
        let start = Array("axis x̄ = 2\n  y = linear[".utf8).count
        let id = DiagnosticID("E010", "unknown axis", explanation: "")
        let d = Diagnostic.error(
            id, "unknown axis `dmodel`", at: SourceRange(start: start, end: start + 6),
            fixIts: [
                FixIt(
                    "did you mean `d_model`?", range: SourceRange(start: start, end: start + 6), replacement: "d_model")
            ])
        let text = DiagnosticRenderer().render(d, in: file)
        XCTAssertEqual(
            text,
            """
            m.ncd:2:14: error[E010]: unknown axis `dmodel`
               2 |   y = linear[dmodel -> d](x̄)
                 |              ^~~~~~
                  = help: did you mean `d_model`?

            """)
    }

    func testALongLineIsShownAsAWindowAroundTheCaret() {
        // 1,000 characters, the name at column 805: 60 either side of it, elided on both ends.
        let line = String(repeating: "a ", count: 400) + "x̄ = bad_name " + String(repeating: "b ", count: 93)
        let file = SourceFile(name: "long.ncd", text: line + "\n")
        let start = Array((String(repeating: "a ", count: 400) + "x̄ = ").utf8).count
        let id = DiagnosticID("E011", "unknown name", explanation: "")
        let d = Diagnostic.error(id, "unknown name `bad_name`", at: SourceRange(start: start, end: start + 8))
        let lines = DiagnosticRenderer().render(d, in: file).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[0], "long.ncd:1:805: error[E011]: unknown name `bad_name`")
        let shown = lines[1].dropFirst("   1 | ".count)
        let caret = lines[2].dropFirst("     | ".count)
        XCTAssertTrue(shown.hasPrefix("…") && shown.hasSuffix("…"), "\(shown)")
        XCTAssertEqual(shown.count, 1 + 60 + 8 + 60 + 1)
        // The caret stands under the name in the window.
        let offset = caret.prefix { $0 == " " }.count
        XCTAssertEqual(String(Array(shown)[offset..<(offset + 8)]), "bad_name")
        XCTAssertEqual(caret.drop { $0 == " " }, "^~~~~~~~".prefix(8))
        // Columns on a long line (found through the line's index of characters) are still
        // characters, not bytes, as on a short one.
        XCTAssertEqual(file.lineColumn(of: start).column, 805)
        for offset in [0, 1, 799, 800, 801, 803, start + 3, Array(line.utf8).count] {
            let expected = String(decoding: Array(line.utf8)[0..<offset], as: UTF8.self).count + 1
            XCTAssertEqual(file.lineColumn(of: offset).column, expected, "offset \(offset)")
        }
    }

    func testColumnsCountGraphemesNotBytes() {
        let file = SourceFile(name: "t", text: "x̄ȳ z")
        let offset = Array("x̄ȳ ".utf8).count
        XCTAssertEqual(file.lineColumn(of: offset).column, 4)
    }

    func testSummaryPluralises() {
        XCTAssertEqual(DiagnosticRenderer.summary(errors: 1, warnings: 2), "1 error, 2 warnings")
    }

    func testSuggestionsPreferCloseNames() {
        XCTAssertEqual(Suggestions.closest(to: "dmodel", among: ["d_model", "d_ff", "m"]), "d_model")
        XCTAssertEqual(Suggestions.closest(to: "rwo", among: ["row", "col"]), "row")
        XCTAssertNil(Suggestions.closest(to: "attention", among: ["b", "m"]))
    }
}
