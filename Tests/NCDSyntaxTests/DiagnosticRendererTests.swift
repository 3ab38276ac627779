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
