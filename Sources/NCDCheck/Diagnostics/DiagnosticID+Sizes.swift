import NCDSyntax

/// Sizes: whole, positive, exact, known where they must be.
extension DiagnosticID {
    public static let notWhole = DiagnosticID(
        "E020", "size not a whole number",
        explanation: """
            Sizes count elements, so they are whole numbers; ncd's size arithmetic is exact and
            `/` must divide. A fraction where a size is expected is an error, not a rounding.

                axis half = 7 / 2      # error: size of `half` is 7/2, not a whole number
                axis half = 8 / 2      # ok
            """)

    public static let sizeOutOfRange = DiagnosticID(
        "E021", "size out of range",
        explanation: """
            A size, option or bound is below what it may be: sizes are positive, a kernel at least
            1, a stride at least 1, a padding at least 0. `--size NAME=N` is held to the same rule.

                axis n = 3 - 5         # error: sizes must be positive
            """)

    public static let sizeArithmetic = DiagnosticID(
        "E022", "size arithmetic",
        explanation: """
            Size arithmetic failed: a division by zero, a quotient that does not divide, or a
            result that overflows 64 bits. Sizes are exact polynomials over the free sizes, so a
            division is kept only where it is exact or a floor of whole sizes.

                axis n = 2^70          # error: overflows
            """)

    public static let sizeCycle = DiagnosticID(
        "E023", "sizes defined in a cycle",
        explanation: """
            Axis and constant declarations may come in any order, but not define each other in a
            circle: one of them has to be given a number.

                axis a = 2 * b
                axis b = a / 2         # error: sizes defined in a cycle: a → b → a
            """)

    public static let unknownSize = DiagnosticID(
        "E024", "size must be known",
        explanation: """
            A number that shapes the graph itself (a loop bound, a kernel, an index, the end of a
            slice) depends on a free size, whose value is given only at run time. Give that size a
            value (`axis n = 16`, or `--size n=16` when checking), or write the number itself.

                for λ in 1..b { … }    # error when `b` is free
            """)

    public static let expectedSize = DiagnosticID(
        "E025", "expected a size or a number",
        explanation: """
            A size or a number is expected here (a size, an option, an index), but the expression
            is a call, an index or a memory load, which give arrays.

                axis n = relu(x)       # error
                axis n = 2 * m         # ok
            """)

    public static let loopTooLong = DiagnosticID(
        "E026", "loop too long",
        explanation: """
            A loop runs more than 100,000 times. ncd keeps loops as loops for pictures and
            exports, but checks (and runs) every iteration, so a bound that large is almost
            certainly a mistake in the bounds.
            """)

    public static let operationBudget = DiagnosticID(
        "E027", "too many operations",
        explanation: """
            Calls and loops expand to more than 250,000 operations, so checking stops. This guards
            against exponential call trees (a diagram calling another twice, nested many times).
            Check each part with smaller sizes or fewer repetitions.
            """)

    public static let nonFiniteFactor = DiagnosticID(
        "E028", "factor not finite",
        explanation: """
            A constant factor evaluates to infinity or NaN (`0^-1`, `x / 0`), which would make
            every element of the result non-finite.

                y = x * 0^-0.5         # error
            """)
}
