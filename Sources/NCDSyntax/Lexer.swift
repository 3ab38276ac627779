/// Splits a source file into tokens. Comments run from `#` to the end of the line.
/// Invalid bytes and stray characters become diagnostics and `.invalid` tokens; the lexer
/// never stops early.
public struct Lexer {
    private let file: SourceFile
    private let bytes: [UInt8]
    private var position = 0
    private var sawNewline = true
    /// Problems found while scanning.
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
    }

    /// Scans the whole file; the last token is always `.endOfFile`. Characters the language
    /// has no use for are reported and left out.
    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 4)
        while true {
            let token = next()
            if token.kind != .invalid { tokens.append(token) }
            if token.kind == .endOfFile { return tokens }
        }
    }

    /// Keywords by spelling; a dictionary lookup is cheaper than a string switch.
    private static let keywords = Dictionary(uniqueKeysWithValues: Keyword.allCases.map { ($0.rawValue, $0) })

    private mutating func next() -> Token {
        skipTrivia()
        let start = position
        let startsLine = sawNewline
        sawNewline = false
        guard position < bytes.count else {
            return Token(kind: .endOfFile, range: SourceRange(start: start, end: start), text: "", startsLine: true)
        }
        let b = bytes[position]
        let kind: TokenKind
        if isIdentifierStart(at: position) {
            advanceIdentifier()
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            kind = Lexer.keywords[text].map(TokenKind.keyword) ?? .identifier
            return Token(
                kind: kind, range: SourceRange(start: start, end: position), text: text, startsLine: startsLine)
        } else if isDigit(b) {
            kind = scanNumber()
        } else if b == UInt8(ascii: "\"") {
            return scanString(startsLine: startsLine)
        } else if let symbol = scanSymbol() {
            return Token(
                kind: .symbol(symbol), range: SourceRange(start: start, end: position),
                text: symbol.rawValue, startsLine: startsLine)
        } else {
            kind = .invalid
            let length = scalarLength(at: position)
            position += length
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            let what =
                text == "\u{FFFD}" || !isValidScalar(at: start, length: length)
                ? "invalid UTF-8 byte 0x\(String(bytes[start], radix: 16, uppercase: true))"
                : "unexpected character `\(text)`"
            diagnostics.append(.error(.invalidCharacter, what, at: SourceRange(start: start, end: position)))
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        return Token(kind: kind, range: SourceRange(start: start, end: position), text: text, startsLine: startsLine)
    }

    private mutating func skipTrivia() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\n"):
                sawNewline = true
                position += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            case UInt8(ascii: "#"):
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            default:
                return
            }
        }
    }

    private mutating func scanNumber() -> TokenKind {
        var kind = TokenKind.integer
        skipDigits()
        // `1..4` is a range, not the float `1.`.
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "."), isDigit(bytes[position + 1]) {
            position += 1
            skipDigits()
            kind = .float
        }
        // An exponent: `1e-6`, `2.5E3`.
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            var end = position + 1
            if end < bytes.count, bytes[end] == UInt8(ascii: "-") || bytes[end] == UInt8(ascii: "+") { end += 1 }
            if end < bytes.count, isDigit(bytes[end]) {
                position = end
                skipDigits()
                kind = .float
            }
        }
        return kind
    }

    /// A string on one line: `"…"`, with `\"` and `\\` for a quote and a backslash. One
    /// left open at the end of its line is reported and read to there.
    private mutating func scanString(startsLine: Bool) -> Token {
        let start = position
        position += 1
        var content: [UInt8] = []
        var closed = false
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") {
            let b = bytes[position]
            position += 1
            if b == UInt8(ascii: "\"") {
                closed = true
                break
            }
            if b == UInt8(ascii: "\\"), position < bytes.count,
                bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "\\")
            {
                content.append(bytes[position])
                position += 1
                continue
            }
            content.append(b)
        }
        let range = SourceRange(start: start, end: position)
        if !closed {
            diagnostics.append(
                .error(.unterminatedString, "string is not closed before the end of the line", at: range))
        }
        return Token(
            kind: .string, range: range, text: String(decoding: content, as: UTF8.self), startsLine: startsLine)
    }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    /// Single-byte symbols, indexed by byte.
    private static let singleByteSymbols: [Symbol?] = (0..<128).map { b in
        Symbol.allCases.first { $0.rawValue.utf8.count == 1 && $0.rawValue.utf8.first == UInt8(b) }
    }

    private mutating func scanSymbol() -> Symbol? {
        let b = bytes[position]
        let next = position + 1 < bytes.count ? bytes[position + 1] : 0
        if b == UInt8(ascii: "-"), next == UInt8(ascii: ">") {
            position += 2
            return .arrow
        }
        if b == UInt8(ascii: "."), next == UInt8(ascii: ".") {
            position += 2
            return .dotdot
        }
        if b == UInt8(ascii: "/"), next == UInt8(ascii: "/") {
            position += 2
            return .slashSlash
        }
        guard b < 128, let symbol = Lexer.singleByteSymbols[Int(b)] else { return nil }
        position += 1
        return symbol
    }

    private mutating func advanceIdentifier() {
        position += scalarLength(at: position)
        while position < bytes.count, isIdentifierContinue(at: position) {
            position += scalarLength(at: position)
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    private func isIdentifierStart(at i: Int) -> Bool {
        let b = bytes[i]
        if b < 128 { return (b | 0x20) >= 97 && (b | 0x20) <= 122 || b == UInt8(ascii: "_") }
        guard let s = scalar(at: i) else { return false }
        return s.properties.isAlphabetic
    }

    private func isIdentifierContinue(at i: Int) -> Bool {
        let b = bytes[i]
        if b < 128 { return isIdentifierStart(at: i) || isDigit(b) }
        guard let s = scalar(at: i) else { return false }
        // Combining marks let the paper's x̄ (x + U+0304) and subscript digits be names.
        let category = s.properties.generalCategory
        return s.properties.isAlphabetic || category == .nonspacingMark || category == .otherNumber
            || category == .decimalNumber
    }

    /// The Unicode scalar starting at byte `i`, or nil for an invalid sequence.
    private func scalar(at i: Int) -> Unicode.Scalar? {
        let length = scalarLength(at: i)
        guard isValidScalar(at: i, length: length) else { return nil }
        var decoder = UTF8()
        var iterator = bytes[i..<i + length].makeIterator()
        if case .scalarValue(let s) = decoder.decode(&iterator) { return s }
        return nil
    }

    private func isValidScalar(at i: Int, length: Int) -> Bool {
        var decoder = UTF8()
        var iterator = bytes[i..<i + length].makeIterator()
        if case .scalarValue = decoder.decode(&iterator) { return true }
        return false
    }

    /// Length in bytes of the UTF-8 sequence at `i` as its lead byte announces it, clamped
    /// to the file and to its continuation bytes; 1 for a stray byte.
    private func scalarLength(at i: Int) -> Int {
        let b = bytes[i]
        let wanted = b < 0x80 ? 1 : b >= 0xF0 && b < 0xF8 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
        var length = 1
        while length < wanted, i + length < bytes.count, bytes[i + length] & 0xC0 == 0x80 { length += 1 }
        return length == wanted ? length : 1
    }
}
