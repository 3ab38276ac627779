import NCDSyntax

/// Built-in operations: their brackets, options, arguments and constraints.
extension DiagnosticID {
    public static let specShape = DiagnosticID(
        "E040", "brackets of an operation",
        explanation: """
            A built-in's brackets say what it acts on, and each has its form: `linear[m -> d]`,
            `softmax[x]`, `einsum[y k, x k -> y x]`, `conv[c -> n, h w, kernel=3]`, `eye[a b]`.
            The message quotes the form the operation takes.

                y = linear[m](x)           # error: `linear` takes one mapping
                y = linear[m -> d](x)      # ok
            """)

    public static let unknownOption = DiagnosticID(
        "E041", "unknown option",
        explanation: """
            An option is given that the operation does not take; the message lists the options it
            has and the fix-it suggests a close one.

                conv[c -> n, h w, kernel=3, strid=2](x)    # error: did you mean `stride`?
            """)

    public static let repeatedOption = DiagnosticID(
        "E042", "given twice",
        explanation: """
            The same option, size parameter or `over` axis is written twice in one call.
            """)

    public static let optionValue = DiagnosticID(
        "E043", "option value",
        explanation: """
            An option's value is of the wrong kind or out of its range: `bias` is `true` or
            `false`, `eps` a known number, dropout's `p` in [0, 1).
            """)

    public static let argumentCount = DiagnosticID(
        "E044", "wrong number of arguments",
        explanation: """
            A call passes a different number of arrays than the operation or diagram takes:
            `concat` two or more, `cross_entropy` two, an `einsum` one per pattern, a diagram one
            per input.
            """)

    public static let windowFit = DiagnosticID(
        "E045", "window does not fit",
        explanation: """
            A window (`window`, `conv`, pooling) needs `kernel=…`, and its span
            `dilation·(kernel−1)+1` must fit the padded axis: the output size
            `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1` must be at least 1.

                maxpool[h w, kernel=5](x)      # error when h is 4
            """)

    public static let indexRange = DiagnosticID(
        "E046", "index out of range",
        explanation: """
            An index or slice lies outside its axis, a slice is empty, or more positional indices
            are given than the array has axes. Indices count from 0; negative ones from the end.

                a[x = 4]          # error when x has size 4 (0…3)
            """)

    public static let lossTargets = DiagnosticID(
        "E047", "loss operands",
        explanation: """
            `cross_entropy[class](logits, targets)` takes targets that are class indices (the
            logits' type without `class`) or probabilities (the logits' type); `mse(a, b)` takes
            two arrays of one type.
            """)

    public static let axisRole = DiagnosticID(
        "E048", "axis cannot play this part",
        explanation: """
            An axis is asked to do what the operation cannot do with it: a convolution's channel
            axis also named spatial, a channel mapping between several axes, or a batch norm over
            every axis (it keeps statistics per feature, over the other axes).
            """)

    public static let overOnBuiltin = DiagnosticID(
        "E049", "`over` on a built-in",
        explanation: """
            Built-ins already act on the axes they name and are broadcast over the rest, so `over`
            is for calls of diagrams only.

                y = relu(x) over b         # error: relu already acts on every axis
                y = Block(x) over b        # ok, when Block's input lacks `b`
            """)
}
