import NCDSyntax
import XCTest

final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [TokenKind] {
        var lexer = Lexer(file: SourceFile(name: "t", text: text))
        return lexer.tokenize().map(\.kind)
    }

    func testNumbersRangesAndExponents() {
        XCTAssertEqual(kinds("1..4"), [.integer, .symbol(.dotdot), .integer, .endOfFile])
        XCTAssertEqual(kinds("0.5 1e-6 2.5E3 3"), [.float, .float, .float, .integer, .endOfFile])
        // `2e` is the integer 2 followed by the name `e`, not a malformed float.
        XCTAssertEqual(kinds("2e"), [.integer, .identifier, .endOfFile])
    }

    func testSymbolsAndKeywords() {
        XCTAssertEqual(kinds("m -> k h"), [.identifier, .symbol(.arrow), .identifier, .identifier, .endOfFile])
        XCTAssertEqual(kinds("for x in"), [.keyword(.for), .identifier, .keyword(.in), .endOfFile])
        XCTAssertEqual(kinds("a - > b"), [.identifier, .symbol(.minus), .symbol(.greater), .identifier, .endOfFile])
    }

    func testUnicodeIdentifiersKeepCombiningMarks() {
        var lexer = Lexer(file: SourceFile(name: "t", text: "x̄ n₁ ȳ2"))
        let tokens = lexer.tokenize()
        XCTAssertEqual(tokens.map(\.text), ["x̄", "n₁", "ȳ2", ""])
        XCTAssertTrue(lexer.diagnostics.isEmpty)
    }

    func testCommentsAndLineStarts() {
        var lexer = Lexer(file: SourceFile(name: "t", text: "a # comment b\nc"))
        let tokens = lexer.tokenize()
        XCTAssertEqual(tokens.map(\.text), ["a", "c", ""])
        XCTAssertEqual(tokens.map(\.startsLine), [true, true, true])
    }

    func testInvalidBytesAreReportedNotFatal() {
        let file = SourceFile(name: "t", bytes: [0x61, 0xFF, 0x62, 0xE2, 0x82])
        var lexer = Lexer(file: file)
        let tokens = lexer.tokenize()
        XCTAssertEqual(tokens.last?.kind, .endOfFile)
        XCTAssertEqual(lexer.diagnostics.count, 3)
        XCTAssertTrue(lexer.diagnostics[0].message.contains("0xFF"))
    }
}
