/// Expression rules, from loosest to tightest binding.
extension Parser {
    // MARK: expr = additive

    mutating func parseExpression() throws -> Expr {
        try enterNesting(at: peek.range)
        defer { depth -= 1 }
        return try parseAdditive()
    }

    // MARK: additive = multiplicative { ("+" | "-") multiplicative }

    mutating func parseAdditive() throws -> Expr {
        var left = try parseMultiplicative()
        while check(.plus) || check(.minus) {
            let op = advance()
            let right = try parseMultiplicative()
            left = .binary(op.is(.plus) ? .add : .subtract, left, right, operatorRange: op.range)
        }
        return left
    }

    // MARK: multiplicative = unary { ("*" | "/" | "//") unary }

    mutating func parseMultiplicative() throws -> Expr {
        var left = try parseUnary()
        while check(.star) || check(.slash) || check(.slashSlash) {
            let op = advance()
            let right = try parseUnary()
            let kind: BinaryOperator = op.is(.star) ? .multiply : op.is(.slash) ? .divide : .floorDivide
            left = .binary(kind, left, right, operatorRange: op.range)
        }
        return left
    }

    // MARK: unary = "-" unary | power

    mutating func parseUnary() throws -> Expr {
        if check(.minus) {
            let minus = advance()
            try enterNesting(at: minus.range)
            defer { depth -= 1 }
            return .unary(minus: minus.range, operand: try parseUnary())
        }
        return try parsePower()
    }

    // MARK: power = postfix [ "^" unary ]   (right-associative: 2^3^2 = 2^9)

    mutating func parsePower() throws -> Expr {
        let base = try parsePostfix()
        guard check(.caret) else { return base }
        let op = advance()
        try enterNesting(at: op.range)
        defer { depth -= 1 }
        return .binary(.power, base, try parseUnary(), operatorRange: op.range)
    }

    // MARK: postfix = primary { "[" index_item { "," index_item } "]" }

    mutating func parsePostfix() throws -> Expr {
        var expr = try parsePrimary()
        while check(.lbracket), !peek.startsLine {
            advance()
            var items: [IndexItem] = []
            repeat { items.append(try parseIndexItem()) } while match(.comma)
            let close = try expect(.rbracket, "to close the index")
            expr = .index(base: expr, items: items, range: expr.range.union(close.range))
        }
        return expr
    }

    // MARK: index_item = [ IDENT "=" ] ( ":" | expr [ ":" [ expr ] ] )

    mutating func parseIndexItem() throws -> IndexItem {
        let start = peek.range
        var axis: Name?
        if check(.identifier), lookahead(1).is(.equal) {
            axis = try expectIdentifier("an axis name")
            advance()
        }
        if match(.colon) {
            let end = check(.comma) || check(.rbracket) ? nil : try parseExpression()
            return IndexItem(axis: axis, start: nil, end: end, isSlice: true, range: start.union(previous.range))
        }
        let first = try parseExpression()
        guard match(.colon) else {
            return IndexItem(axis: axis, start: first, end: nil, isSlice: false, range: start.union(first.range))
        }
        let end = check(.comma) || check(.rbracket) ? nil : try parseExpression()
        return IndexItem(axis: axis, start: first, end: end, isSlice: true, range: start.union(previous.range))
    }

    // MARK: primary = INT | FLOAT | "(" expr ")" | load | call | IDENT

    mutating func parsePrimary() throws -> Expr {
        let token = peek
        switch token.kind {
        case .integer:
            advance()
            guard let value = Int(token.text) else {
                diagnostics.report(
                    .error(
                        .integerTooLarge, "integer `\(token.text)` is too large (the limit is \(Int.max))",
                        at: token.range))
                return .error(token.range)
            }
            return .integer(value, token.range)
        case .float:
            advance()
            return .float(Double(token.text) ?? .nan, token.range)
        case .symbol(.lparen):
            advance()
            let inner = try parseExpression()
            let close = try expect(.rparen, "to close the parenthesis")
            return .parenthesized(inner, token.range.union(close.range))
        case .keyword(.load):
            advance()
            let slot = try expectIdentifier("a memory slot name")
            try expect(.lbracket, "before the slot's index")
            let index = try parseExpression()
            let close = try expect(.rbracket, "after the slot's index")
            return .load(slot: slot, index: index, range: token.range.union(close.range))
        case .identifier:
            if isCallAhead() { return .call(try parseCall()) }
            advance()
            return .name(Name(token.text, token.range))
        default:
            throw fail("expected an expression, found \(peek.description)")
        }
    }

    /// Whether an identifier here begins a call: `f(`, or `f[…](` on the same line.
    func isCallAhead() -> Bool {
        let next = lookahead(1)
        if next.startsLine { return false }
        if next.is(.lparen) { return true }
        guard next.is(.lbracket) else { return false }
        var nesting = 0
        var i = current + 1
        while i < tokens.count - 1 {
            let t = tokens[i]
            if t.is(.lbracket) || t.is(.lparen) { nesting += 1 }
            if t.is(.rbracket) || t.is(.rparen) { nesting -= 1 }
            if nesting == 0 {
                let after = tokens[i + 1]
                return after.is(.lparen) && !after.startsLine
            }
            if t.is(.lbrace) || t.is(.rbrace) { return false }
            i += 1
        }
        return false
    }

    // MARK: call = IDENT [ "[" spec "]" ] "(" [ expr { "," expr } ] ")" [ "over" IDENT { IDENT } [ "at" ["-"] INT ] ] [ ("as" | "shares") IDENT ]

    mutating func parseCall() throws -> Call {
        let callee = try expectIdentifier("an operation or diagram name")
        var spec: [SpecItem]?
        if match(.lbracket) {
            spec = check(.rbracket) ? [] : try parseSpec()
            try expect(.rbracket, "to close `\(callee.text)[…]`")
        }
        try expect(.lparen, "before the arguments of `\(callee.text)`")
        var arguments: [Expr] = []
        if !check(.rparen) {
            repeat { arguments.append(try parseExpression()) } while match(.comma)
        }
        try expect(.rparen, "after the arguments of `\(callee.text)`")
        var over: [Name] = []
        var position: OverPosition?
        if match(.over) {
            over.append(try expectIdentifier("an axis to broadcast over"))
            while check(.identifier), !peek.startsLine, !startsOverPosition {
                over.append(try expectIdentifier("an axis"))
            }
            if startsOverPosition { position = try parseOverPosition() }
        }
        var instance: InstanceName?
        if match(.as) {
            instance = .named(try expectIdentifier("an instance name"))
        } else if match(.shares) {
            instance = .shares(try expectIdentifier("the instance whose parameters are shared"))
        }
        return Call(
            callee: callee, spec: spec, arguments: arguments, over: over, overPosition: position, instance: instance,
            range: callee.range.union(previous.range))
    }

    /// `at` after `over`'s axes, followed by a position on the same line. `at` is a keyword
    /// only here (an axis list holds no numbers), so an axis may still be called `at`.
    var startsOverPosition: Bool {
        guard check(.identifier), peek.text == "at", !peek.startsLine else { return false }
        let next = lookahead(1)
        return !next.startsLine && (next.kind == .integer || next.is(Symbol.minus))
    }

    // MARK: over_position = "at" [ "-" ] INT

    mutating func parseOverPosition() throws -> OverPosition {
        let start = advance().range
        let negative = match(.minus)
        guard check(.integer), let value = Int(peek.text) else {
            throw fail("expected the position of the lifted axes after `at`, found \(peek.description)")
        }
        advance()
        return OverPosition(value: negative ? -value : value, range: start.union(previous.range))
    }

    // MARK: spec = spec_item { "," spec_item }
    // MARK: spec_item = IDENT "=" expr | group [ "->" group ]

    mutating func parseSpec() throws -> [SpecItem] {
        var items: [SpecItem] = []
        repeat {
            if check(.identifier), lookahead(1).is(.equal) {
                let name = try expectIdentifier("an option name")
                advance()
                items.append(.option(name: name, value: try parseExpression()))
                continue
            }
            let start = peek.range
            let lhs = check(.arrow) ? [] : try parseGroup()
            if match(.arrow) {
                let rhs = check(.comma) || check(.rbracket) ? [] : try parseGroup()
                items.append(.mapping(lhs: lhs, rhs: rhs, range: start.union(previous.range)))
            } else {
                items.append(.group(lhs))
            }
        } while match(.comma)
        return items
    }

    // MARK: group = element { element };  element = expr [ ":" expr ]

    mutating func parseGroup() throws -> [SpecElement] {
        var elements: [SpecElement] = []
        repeat {
            let value = try parseExpression()
            let size = match(.colon) ? try parseExpression() : nil
            elements.append(SpecElement(value: value, size: size))
        } while check(.identifier) || check(.integer) || check(.float) || check(.lparen)
        return elements
    }
}
