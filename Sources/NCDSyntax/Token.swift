/// The kinds of token in an `.ncd` source.
public enum TokenKind: Hashable, Sendable {
    case identifier
    case integer
    case float
    /// `"Double Convolution"`: text for the picture (a region's title, a note). The token's
    /// text is what it says, quotes removed and `\"`, `\\` read as `"` and `\`.
    case string
    case keyword(Keyword)
    case symbol(Symbol)
    case endOfFile
    /// A character the language has no use for; the lexer reports it and leaves it out.
    case invalid
}

/// Reserved words.
public enum Keyword: String, CaseIterable, Sendable {
    case axis, const, diagram, `for`, `in`, `as`, over, shares, save, load, `return`
}

/// Punctuation and operators.
public enum Symbol: String, CaseIterable, Sendable {
    case lparen = "("
    case rparen = ")"
    case lbracket = "["
    case rbracket = "]"
    case lbrace = "{"
    case rbrace = "}"
    case less = "<"
    case greater = ">"
    case comma = ","
    case colon = ":"
    case semicolon = ";"
    case equal = "="
    case arrow = "->"
    case plus = "+"
    case minus = "-"
    case star = "*"
    case slash = "/"
    case slashSlash = "//"
    case caret = "^"
    case dotdot = ".."
}

/// One token: its kind, where it is, and whether a line break precedes it (calls and
/// indexing do not continue across lines, so statements need no terminator).
public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    public var range: SourceRange
    public var text: String
    public var startsLine: Bool

    public init(kind: TokenKind, range: SourceRange, text: String, startsLine: Bool) {
        self.kind = kind
        self.range = range
        self.text = text
        self.startsLine = startsLine
    }

    /// Whether this token is the given symbol.
    public func `is`(_ symbol: Symbol) -> Bool { kind == .symbol(symbol) }

    /// Whether this token is the given keyword.
    public func `is`(_ keyword: Keyword) -> Bool { kind == .keyword(keyword) }

    /// How the token reads in an error message.
    public var description: String {
        switch kind {
        case .endOfFile: return "end of file"
        case .identifier: return "identifier `\(text)`"
        case .integer, .float: return "number `\(text)`"
        case .string: return "string \"\(text)\""
        case .keyword: return "keyword `\(text)`"
        case .symbol, .invalid: return "`\(text)`"
        }
    }
}
