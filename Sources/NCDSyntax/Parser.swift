/// A recursive-descent parser for `.ncd` files, one method per rule of `grammar/ncd.ebnf`.
///
/// On an error it reports, skips to the next statement or declaration, and carries on, so one
/// run reports every independent syntax error.
public struct Parser {
    var tokens: [Token]
    var current = 0
    var diagnostics: DiagnosticBag
    var depth = 0
    let file: SourceFile
    /// Set when the nesting limit abandoned a declaration, so no "missing `}`" follows.
    var nestingOverflow = false
    /// Where the last recovery stopped, to guarantee progress.
    var lastRecovery = -1
    /// Set when a statement in the block being parsed failed to parse.
    var blockHadErrors = false

    /// Deeper nesting than this is reported rather than risking the stack.
    static let maximumDepth = 200

    /// Thrown to unwind to the nearest recovery point after an error was reported.
    struct Recovery: Error {}

    /// Parses a whole file, returning the declarations that parsed and every diagnostic,
    /// lexical ones included.
    public static func parse(_ file: SourceFile) -> (SourceUnit, [Diagnostic]) {
        var lexer = Lexer(file: file)
        let tokens = lexer.tokenize()
        var parser = Parser(tokens: tokens, file: file)
        for d in lexer.diagnostics { parser.diagnostics.report(d) }
        let declarations = parser.parseFile()
        return (SourceUnit(file: file, declarations: declarations), parser.diagnostics.all)
    }

    init(tokens: [Token], file: SourceFile) {
        self.tokens = tokens
        self.file = file
        self.diagnostics = DiagnosticBag()
    }

    // MARK: file = { declaration } EOF

    mutating func parseFile() -> [Declaration] {
        var declarations: [Declaration] = []
        while !atEnd {
            if match(.semicolon) { continue }
            nestingOverflow = false
            do {
                declarations.append(try parseDeclaration())
            } catch {
                synchronize(to: [.axis, .const, .diagram], stopAtLineStart: false)
            }
        }
        return declarations
    }

    // MARK: declaration = axis_decl | const_decl | diagram_decl

    mutating func parseDeclaration() throws -> Declaration {
        if match(.axis) { return try parseAxisDeclaration() }
        if match(.const) { return try parseConstDeclaration() }
        if match(.diagram) { return .diagram(try parseDiagram()) }
        throw fail("expected `axis`, `const` or `diagram` at top level, found \(peek.description)")
    }

    // MARK: axis_decl = "axis" axis_def { "," axis_def }

    mutating func parseAxisDeclaration() throws -> Declaration {
        var definitions: [AxisDefinition] = []
        repeat {
            let name = try expectIdentifier("an axis name")
            let size = match(.equal) ? try parseExpression() : nil
            definitions.append(AxisDefinition(name: name, size: size))
        } while match(.comma)
        return .axes(definitions)
    }

    // MARK: const_decl = "const" IDENT "=" expr

    mutating func parseConstDeclaration() throws -> Declaration {
        let name = try expectIdentifier("a constant name")
        try expect(.equal, "after the constant's name")
        return .constant(name: name, value: try parseExpression())
    }

    // MARK: diagram_decl = "diagram" IDENT [generics] [size_params] "(" inputs ")" "->" outputs [block]

    mutating func parseDiagram() throws -> DiagramDeclaration {
        let start = previous.range
        let name = try expectIdentifier("a diagram name")
        var generics: [Name] = []
        if match(.less) {
            repeat { generics.append(try expectIdentifier("a generic axis name")) } while match(.comma)
            try expect(.greater, "to close the generic axes")
        }
        var sizeParameters: [SizeParameter] = []
        if match(.lbracket) {
            repeat {
                let p = try expectIdentifier("a size parameter name")
                sizeParameters.append(SizeParameter(name: p, defaultValue: match(.equal) ? try parseExpression() : nil))
            } while match(.comma)
            try expect(.rbracket, "to close the size parameters")
        }
        try expect(.lparen, "before the diagram's inputs")
        var inputs: [InputParameter] = []
        if !check(.rparen) {
            repeat {
                let input = try expectIdentifier("an input name")
                try expect(.colon, "between an input's name and its type")
                inputs.append(InputParameter(name: input, type: try parseArrayType()))
            } while match(.comma)
        }
        try expect(.rparen, "after the diagram's inputs")
        try expect(.arrow, "before the diagram's output types")
        let outputs = try parseOutputTypes()
        let signature = start.union(previous.range)
        blockHadErrors = false
        let body = check(.lbrace) ? try parseBlock() : nil
        return DiagramDeclaration(
            name: name, generics: generics, sizeParameters: sizeParameters, inputs: inputs,
            outputs: outputs, body: body, signatureRange: signature, bodyHasSyntaxErrors: blockHadErrors)
    }

    // MARK: outputs = array_type | "(" array_type { "," array_type } ")"

    mutating func parseOutputTypes() throws -> [ArrayTypeSyntax] {
        guard match(.lparen) else { return [try parseArrayType()] }
        var types: [ArrayTypeSyntax] = []
        repeat { types.append(try parseArrayType()) } while match(.comma)
        try expect(.rparen, "after the output types")
        return types
    }

    // MARK: array_type = [ "int" ] "[" [ axis_ref { "," axis_ref } ] "]"

    mutating func parseArrayType() throws -> ArrayTypeSyntax {
        // `int` is a keyword only here, before `[`: an axis or a value may still be called int.
        let integer = check(.identifier) && peek.text == "int" && lookahead(1).is(Symbol.lbracket)
        let start = integer ? advance().range : nil
        let open = try expect(.lbracket, "to start an array type such as `[y, k]` or `int[b, t]`")
        var axes: [AxisReference] = []
        if !check(.rbracket) {
            repeat {
                let name = try expectIdentifier("an axis name")
                let size = match(.colon) ? try parseExpression() : nil
                axes.append(AxisReference(name: name, size: size))
            } while match(.comma)
        }
        let close = try expect(.rbracket, "to close the array type")
        return ArrayTypeSyntax(
            axes: axes, range: (start ?? open.range).union(close.range), isInteger: integer)
    }

    // MARK: block = "{" { statement } "}"

    mutating func parseBlock() throws -> [Statement] {
        let open = try expect(.lbrace, "to start a block")
        try enterNesting(at: open.range)
        defer { depth -= 1 }
        var statements: [Statement] = []
        while !check(.rbrace), !atEnd {
            if match(.semicolon) { continue }
            if check(.diagram) || check(.axis) || check(.const), peek.startsLine {
                break  // a missing `}`: let the declaration parse.
            }
            do {
                statements.append(try parseStatement())
            } catch {
                blockHadErrors = true
                if nestingOverflow { throw Recovery() }
                synchronize(to: [.for, .return, .save], stopAtLineStart: true)
            }
        }
        guard match(.rbrace) else {
            if nestingOverflow { throw Recovery() }
            throw fail(
                "expected `}` to close the block", notes: [DiagnosticNote("the block opened here", at: open.range)])
        }
        return statements
    }

    // MARK: statement = assign | save | for | return

    mutating func parseStatement() throws -> Statement {
        if match(.return) { return try parseReturn() }
        if match(.for) { return try parseLoop() }
        if match(.save) { return try parseSave() }
        if startsRegion { return try parseRegion() }
        return try parseAssignment()
    }

    /// `region` and `note` begin a region only before a string, so they stay usable as names.
    var startsRegion: Bool {
        peek.kind == .identifier && (peek.text == "region" || peek.text == "note") && lookahead(1).kind == .string
    }

    // MARK: region = ( "region" STRING [ "note" STRING ] | "note" STRING ) block

    mutating func parseRegion() throws -> Statement {
        let start = advance().range
        var title: String?
        var note: String?
        if previous.text == "region" {
            title = advance().text
            if check(.identifier), peek.text == "note", lookahead(1).kind == .string {
                advance()
                note = advance().text
            }
        } else {
            note = advance().text
        }
        let header = start.union(previous.range)
        guard check(.lbrace) else {
            throw fail(
                "expected `{` and the statements the \(title == nil ? "note" : "region") is about, found \(peek.description)"
            )
        }
        let body = try parseBlock()
        return .region(title: title, note: note, body: body, range: header)
    }

    // MARK: return = "return" expr { "," expr }

    mutating func parseReturn() throws -> Statement {
        let start = previous.range
        var values = [try parseExpression()]
        while match(.comma) { values.append(try parseExpression()) }
        return .return(values: values, range: start.union(previous.range))
    }

    // MARK: for = "for" IDENT "in" expr ".." expr [ "as" IDENT ] block

    mutating func parseLoop() throws -> Statement {
        let start = previous.range
        let variable = try expectIdentifier("a loop variable")
        try expect(.in, "after the loop variable")
        let lower = try parseExpression()
        try expect(.dotdot, "between the loop's bounds, as in `1..N`")
        let upper = try parseExpression()
        let label = match(.as) ? try expectIdentifier("a name for the loop's instances") : nil
        let header = start.union(previous.range)
        let body = try parseBlock()
        return .loop(variable: variable, lower: lower, upper: upper, label: label, body: body, range: header)
    }

    // MARK: save = "save" IDENT "[" expr "]" "=" expr

    mutating func parseSave() throws -> Statement {
        let start = previous.range
        let slot = try expectIdentifier("a memory slot name")
        try expect(.lbracket, "before the slot's index")
        let index = try parseExpression()
        try expect(.rbracket, "after the slot's index")
        try expect(.equal, "before the saved value")
        let value = try parseExpression()
        return .save(slot: slot, index: index, value: value, range: start.union(value.range))
    }

    // MARK: assign = IDENT { "," IDENT } "=" expr

    mutating func parseAssignment() throws -> Statement {
        guard check(.identifier) else {
            throw fail(
                "expected a statement (`name = …`, `for`, `save`, `region` or `return`), found \(peek.description)")
        }
        var targets = [try expectIdentifier("a name")]
        while match(.comma) { targets.append(try expectIdentifier("a name")) }
        try expect(.equal, targets.count == 1 ? "after `\(targets[0].text)`" : "after the names")
        do {
            let value = try parseExpression()
            return .assign(targets: targets, value: value, range: targets[0].range.union(value.range))
        } catch {
            // Keep the names bound (to nothing), so later uses do not report them as unknown.
            if nestingOverflow { throw error }
            blockHadErrors = true
            let range = targets[0].range.union(previous.range)
            synchronize(to: [.for, .return, .save], stopAtLineStart: true)
            return .assign(targets: targets, value: .error(range), range: range)
        }
    }
}
