import NCDSyntax

/// Array types: which axes, of which sizes, in which order.
extension DiagnosticID {
    public static let typeMismatch = DiagnosticID(
        "E030", "type mismatch",
        explanation: """
            A value has other axes than the place it goes to declares: a returned value against
            the signature's output, an argument against a diagram's input. The message lists the
            extra and missing axes; the note shows where the expected type was declared. Often
            an axis was consumed or created one operation too early or too late.

                diagram F(x: [b, m]) -> [b, m] {
                  return sum[m](x)       # error: has type [b], but [b, m] is expected
                }
            """)

    public static let elementKind = DiagnosticID(
        "E062", "integers into a learned map, or numbers where ids are read",
        explanation: """
            An integer array (`int[b, t]`: token ids, class labels, `arange`'s positions) is
            indexed, sliced, rearranged, concatenated and stacked as integers, read as ids by
            `embed`, `gather` and `cross_entropy`, and computed with as numbers (`t * 0.5`
            is a float array, as NumPy promotes). A learned map (`linear`, `conv`, a norm)
            refuses one: ids go through `embed`. Ids and labels must be integer arrays, so an
            input that holds them is declared `int[…]`. Integer and float arrays are not joined.

                diagram LM(tokens: [b, t]) -> [b, t, d] {
                  return embed[vocab -> d](tokens)    # error: declare `tokens: int[b, t]`
                }
            """)

    public static let sizeMismatch = DiagnosticID(
        "E031", "axis sizes differ",
        explanation: """
            An axis name stands for one wire, so wherever it meets itself its sizes must agree:
            both sides of `+`, operands of one `einsum`, the arguments broadcast `over` it, or a
            returned value against its declaration. An axis resized along the way (`[h: h / 2]`)
            is a different wire from the original.

                y = a + b      # error when a: [n: 4] and b: [n: 8]
            """)

    public static let axisOrder = DiagnosticID(
        "E032", "axes in another order",
        explanation: """
            A value has the right axes in another order. The order of a type is its memory layout
            and the order of its wires in the picture, so it is part of the type. Reorder with
            `rearrange`; the fix-it writes it.

                return x                          # error: [m, b] where [b, m] is expected
                return rearrange[m b -> b m](x)   # ok
            """)

    public static let repeatedAxis = DiagnosticID(
        "E033", "axis repeated",
        explanation: """
            An array's axes are distinct wires, so one name may not appear twice in one type, nor
            be produced where the result already keeps an axis of that name. Give the new axis
            another name (declare `axis y2 = y` if it has the same size).

                y = linear[m -> b](x)      # error when x already has `b`
            """)

    public static let missingAxis = DiagnosticID(
        "E034", "axis not present",
        explanation: """
            An operation names an axis its argument does not have: a reduction, a norm, an
            index, a concatenation, an `over`, or an einsum's output. The message lists the axes
            the argument does have; the fix-it suggests a close name.

                y = softmax[x](scores)     # error when scores has axes [y, t]
            """)

    public static let einsumPattern = DiagnosticID(
        "E035", "einsum pattern",
        explanation: """
            Each operand of an `einsum` is written with exactly its own axes (in any order): no
            axis it lacks, none it has left out. Axes left out of the output are summed; axes in
            several operands and in the output are diagonal (joined).

                einsum[y k, x k -> y x](q, keys)     # q: [y, k], keys: [x, k]
            """)

    public static let elementCount = DiagnosticID(
        "E036", "element counts differ",
        explanation: """
            `rearrange` reorders, splits and merges axes, so it must write exactly as many elements
            as it reads. The message shows both products.

                rearrange[k h -> d](x)     # needs d = k * h
            """)

    public static let concatMismatch = DiagnosticID(
        "E037", "concatenated types differ",
        explanation: """
            `concat[c](a, b)` joins arrays along `c`; every other axis must be the same in all of
            them, with the same sizes and order. Rearrange or broadcast the odd one first.
            """)

    public static let arrayExpected = DiagnosticID(
        "E038", "array expected",
        explanation: """
            An operation needs one array but gets a number or several arrays: a tuple from a call
            with several outputs used where one array goes, a number bound to a name or returned,
            or arithmetic between an array and a number other than scaling. Bind a tuple's parts
            with `a, b = F(x)`; scale with `x * 0.5` or `scale[k^-0.5](x)`.
            """)

    public static let indexedTwice = DiagnosticID(
        "E039", "axis indexed twice",
        explanation: """
            An index expression takes each axis at most once. Positional items name the array's
            axes in their original order, so after `col = 1` a positional item that falls on
            `col` again has nothing left to index.

                a[col = 1, 0]        # error when a: [row, col]: the 0 falls on `col`
                a[col = 1, row = 0]  # ok
            """)
}
