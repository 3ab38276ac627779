/// Token access, matching and error recovery shared by every rule.
extension Parser {
    var peek: Token { tokens[current] }
    var previous: Token { tokens[max(0, current - 1)] }
    var atEnd: Bool { peek.kind == .endOfFile }

    func check(_ symbol: Symbol) -> Bool { peek.is(symbol) }
    func check(_ keyword: Keyword) -> Bool { peek.is(keyword) }
    func check(_ kind: TokenKind) -> Bool { peek.kind == kind }

    /// The token `offset` places ahead, or end of file.
    func lookahead(_ offset: Int) -> Token { tokens[min(current + offset, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = peek
        if !atEnd { current += 1 }
        return token
    }

    mutating func match(_ symbol: Symbol) -> Bool {
        guard check(symbol) else { return false }
        advance()
        return true
    }

    mutating func match(_ keyword: Keyword) -> Bool {
        guard check(keyword) else { return false }
        advance()
        return true
    }

    @discardableResult
    mutating func expect(_ symbol: Symbol, _ context: String) throws -> Token {
        guard check(symbol) else { throw fail("expected `\(symbol.rawValue)` \(context), found \(peek.description)") }
        return advance()
    }

    @discardableResult
    mutating func expect(_ keyword: Keyword, _ context: String) throws -> Token {
        guard check(keyword) else { throw fail("expected `\(keyword.rawValue)` \(context), found \(peek.description)") }
        return advance()
    }

    mutating func expectIdentifier(_ what: String) throws -> Name {
        if check(.identifier) {
            let token = advance()
            return Name(token.text, token.range)
        }
        if case .keyword(let k) = peek.kind {
            throw fail("expected \(what), found keyword `\(k.rawValue)`; keywords cannot be names")
        }
        throw fail("expected \(what), found \(peek.description)")
    }

    /// Reports an error at the current token (or just after the previous one, when the
    /// current token starts a new line: the problem is a missing piece at the line's end).
    mutating func fail(_ message: String, notes: [DiagnosticNote] = []) -> Recovery {
        let at = peek.startsLine && current > 0 ? previous.range.endPoint : peek.range
        diagnostics.report(.error(.syntax, message, at: at, notes: notes))
        return Recovery()
    }

    mutating func enterNesting(at range: SourceRange) throws {
        depth += 1
        if depth > Parser.maximumDepth {
            diagnostics.report(.error(.nestingTooDeep, "nesting deeper than \(Parser.maximumDepth) levels", at: range))
            // Abandon the declaration: every enclosing rule would fail again.
            nestingOverflow = true
            while !atEnd, !(peek.startsLine && (check(.diagram) || check(.axis) || check(.const))) { advance() }
            throw Recovery()
        }
    }

    /// Panic-mode recovery: skip tokens until one of `keywords`, a closing brace at this
    /// level, or (inside blocks) the start of a new line.
    mutating func synchronize(to keywords: [Keyword], stopAtLineStart: Bool) {
        var nesting = 0
        // Stay on a token that starts the next construct, unless no progress was made since
        // the last recovery (which would loop forever).
        let isSyncPoint = keywords.contains { check($0) } || (stopAtLineStart && peek.startsLine && check(.identifier))
        if !atEnd, !isSyncPoint || current == lastRecovery { advance() }
        lastRecovery = current
        while !atEnd {
            // A declaration keyword starting a line ends any construct left open.
            if peek.startsLine, check(.diagram) || check(.axis) || check(.const) { return }
            if nesting == 0 {
                if keywords.contains(where: { check($0) }) { return }
                if check(.diagram) || check(.axis) || check(.const) { return }
                if check(.rbrace) { return }
                if stopAtLineStart, peek.startsLine, check(.identifier) { return }
            }
            if check(.lparen) || check(.lbracket) || check(.lbrace) { nesting += 1 }
            if check(.rparen) || check(.rbracket) || check(.rbrace) { nesting = max(0, nesting - 1) }
            advance()
        }
    }
}
