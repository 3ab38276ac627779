import NCDSyntax

/// Warnings: legal, and probably not what was meant.
extension DiagnosticID {
    public static let unused = DiagnosticID(
        "W001", "never used",
        explanation: """
            A value or input is bound and never read, so whatever computed it is wasted (and is
            not drawn into the output). Use it, delete it, or name it `_name` to say it is meant.
            """)

    public static let replacedBeforeUse = DiagnosticID(
        "W002", "replaced before use",
        explanation: """
            A name is bound again before its first value was read, so that value is lost.

                h = relu(x)
                h = tanh(x)        # warning: `h` is replaced before it is used
            """)

    public static let broadcastGrows = DiagnosticID(
        "W003", "broadcast grows the array",
        explanation: """
            `+ - * /` match axes by name; when each side has axes the other lacks, the result has
            all of them, larger than either operand (an outer product). That is sometimes meant
            (a mask over two axes) and often a misnamed axis.

                y = a + b          # warning when a: [n] and b: [m]: the result is [n, m]
            """)

    public static let uncheckedTemplate = DiagnosticID(
        "W004", "body not checked",
        explanation: """
            A diagram is never called and has a size parameter without a default, so there is no
            instantiation to check its body at. Call it, or give the parameter a default.
            """)

    public static let emptyRegion = DiagnosticID(
        "W005", "region draws nothing",
        explanation: """
            A `region` or `note` holds no statement that makes an operation (only a `return`,
            say, or nothing), so there is nothing in the picture to draw it around. Move the
            statements it is about inside its braces.

                region "Linear" { }                    # warning: the region draws nothing
                region "Linear" { y = linear[m -> n](x) }
            """)
}
