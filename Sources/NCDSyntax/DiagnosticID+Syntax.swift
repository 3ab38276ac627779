/// The diagnostics of reading a file: characters, numbers and the grammar.
extension DiagnosticID {
    public static let invalidCharacter = DiagnosticID(
        "E001", "unexpected character",
        explanation: """
            The file holds a character that is no part of the language, or a byte that is not UTF-8.
            Names may use letters (Greek and combining marks such as the overbar of `x̄` included),
            digits and `_`; the symbols are those of the grammar (`grammar/ncd.ebnf`).

                axis d$model = 64      # error: `$` cannot appear in a name
                axis d_model = 64      # ok
            """)

    public static let unterminatedString = DiagnosticID(
        "E063", "unterminated string",
        explanation: """
            A string (a region's title or a note) runs to the end of its line without its
            closing `"`. Strings stay on one line; write `\\"` for a quote inside one.

                region "Double Convolution {     # error: the string is not closed
                region "Double Convolution" {    # ok
            """)

    public static let integerTooLarge = DiagnosticID(
        "E002", "integer too large",
        explanation: """
            A whole number in the source does not fit a signed 64-bit integer. Sizes beyond
            that cannot be allocated anyway; write the size you mean.
            """)

    public static let nestingTooDeep = DiagnosticID(
        "E003", "nesting too deep",
        explanation: """
            Parentheses, brackets or blocks nest deeper than the parser allows (a guard against
            stack exhaustion on hostile input). Name an intermediate value instead:

                y = f(f(f(f(x))))      # fine; only pathological depths are refused
            """)

    public static let syntax = DiagnosticID(
        "E004", "syntax error",
        explanation: """
            The parser expected one thing and found another: a missing `)` or `]`, a keyword
            where a name belongs, a statement that is none of `name = …`, `for`, `save` or
            `return`. The message says what was expected; the caret is where it was missing
            (at the end of the previous line when the next line starts something new). The
            parser recovers at the next statement or declaration, so later errors are reported too.

                y = linear[m -> k(x)   # error: expected `]`
                y = linear[m -> k](x)  # ok
            """)

    /// The diagnostics the lexer and parser report.
    public static let syntaxIDs: [DiagnosticID] = [
        .invalidCharacter, .integerTooLarge, .nestingTooDeep, .syntax, .unterminatedString,
    ]
}
