import NCDSyntax

/// Names, declarations and the shape of a diagram's body.
extension DiagnosticID {
    public static let unknownAxis = DiagnosticID(
        "E010", "unknown axis",
        explanation: """
            An axis is named that no `axis` declaration and no generic parameter of the diagram
            introduces. Declare it at the top level, or make it generic (`diagram D<y>(…)`); the
            fix-it suggests a declared axis with a close spelling.

                axis d_model = 512, d_ff = 2048
                y = linear[d_model -> dff](x)     # error: unknown axis `dff`
                y = linear[d_model -> d_ff](x)    # ok
            """)

    public static let unknownName = DiagnosticID(
        "E011", "unknown name",
        explanation: """
            A value or size is used that is not bound at this point: no earlier `name = …`, no
            input of the diagram, no axis, constant, size parameter or loop variable of that
            name. Values are visible from the statement that binds them onwards.

                y = relu(h)       # error: unknown name `h` (bound only on the next line)
                h = linear[m -> m](x)
            """)

    public static let unknownOperation = DiagnosticID(
        "E012", "unknown operation or diagram",
        explanation: """
            A call names neither a built-in operation (`linear`, `softmax`, `conv`, …; the README
            lists them) nor a diagram of this file.

                y = softmx[x](s)      # error: unknown operation or diagram `softmx`
                y = softmax[x](s)     # ok
            """)

    public static let duplicateDefinition = DiagnosticID(
        "E013", "defined twice",
        explanation: """
            Two declarations share a name: two axes, an axis and a constant, two diagrams, or two
            inputs of one diagram. Every name at the top level, and every input, is declared once.

                axis m = 128
                axis m = 64      # error: `m` is already declared
            """)

    public static let reservedName = DiagnosticID(
        "E014", "built-in name taken",
        explanation: """
            A diagram is given the name of a built-in operation, which every call would then be
            ambiguous about. Choose another name.

                diagram softmax(x: [n]) -> [n] { … }     # error
                diagram MySoftmax(x: [n]) -> [n] { … }   # ok
            """)

    public static let shadowedName = DiagnosticID(
        "E015", "loop variable hides a name",
        explanation: """
            A loop variable has the name of a value or size already in scope, so the body could
            not tell them apart. Rename the variable.

                for N in 1..3 { … }    # error when `N` is a size parameter
                for λ in 1..N { … }    # ok
            """)

    public static let unreachable = DiagnosticID(
        "E016", "statement after return",
        explanation: """
            `return` ends a diagram's body; a statement after it would never run. Move it before
            the `return`, or delete it.
            """)

    public static let missingReturn = DiagnosticID(
        "E017", "no return",
        explanation: """
            A diagram with a body must end with `return`, naming one value per declared output.

                diagram F(x: [m]) -> [m] {
                  y = relu(x)
                  return y           # without this line: error
                }
            """)

    public static let outputCount = DiagnosticID(
        "E018", "wrong number of outputs",
        explanation: """
            `return` names a different number of values than the signature declares after `->`.
            A diagram returning several values declares them as a tuple: `-> ([n], [m])`.

                diagram F(x: [m]) -> ([m], [m]) {
                  return relu(x)            # error: declares 2 outputs but returns 1
                  return relu(x), tanh(x)   # ok
                }
            """)

    public static let bindingCount = DiagnosticID(
        "E019", "wrong number of names",
        explanation: """
            An assignment binds a different number of names than the right side gives: a call of
            a diagram with two outputs is bound with two names, `a, b = F(x)`.

                a = Split(x)       # error when `Split` returns two arrays
                a, b = Split(x)    # ok
            """)
}
