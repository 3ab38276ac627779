import NCDSyntax

/// Calls of diagrams, instances and parameters, and memory.
extension DiagnosticID {
    public static let recursion = DiagnosticID(
        "E050", "recursive call",
        explanation: """
            A diagram calls itself, directly or through others. Diagrams are expanded when
            checked, so a cycle would never end; repeat with a `for` loop instead.
            """)

    public static let callDepth = DiagnosticID(
        "E051", "calls nest too deep",
        explanation: """
            Diagrams call diagrams more than 64 levels deep. Flatten the chain or use a loop.
            """)

    public static let genericBinding = DiagnosticID(
        "E052", "generic axis",
        explanation: """
            A diagram's generic axes (`diagram Attention<y, x>(…)`) are bound at each call from the
            arguments' axes, by position. One generic must stand for the same axis in every
            argument, and each must appear in some input, or no call could bind it.
            """)

    public static let argumentRank = DiagnosticID(
        "E053", "argument has other axes",
        explanation: """
            An argument has more (or fewer) axes than the diagram's input declares. Extra axes are
            usually meant to be broadcast: the fix-it adds `over` for them.

                y = Head(x)             # error when x: [b, t, m] and Head takes [t, m]
                y = Head(x) over b      # ok: Head runs for every b
            """)

    public static let sizeParameters = DiagnosticID(
        "E054", "size parameters",
        explanation: """
            A diagram's size parameters (`diagram Block[s, N = 3](…)`) are given in brackets at the
            call, by position or by name; each without a default must be given, and no other.

                Block[2](x)          # s = 2, N = 3
                Block[s = 2](x)      # the same
            """)

    public static let duplicateInstance = DiagnosticID(
        "E055", "instance defined twice",
        explanation: """
            Two operations are given one instance name with `as NAME`, so their parameters would
            collide. Use another name, or write `shares NAME` to reuse the first one's parameters.

                q = linear[m -> k](x) as proj
                v = linear[m -> k](y) shares proj     # the same weights
            """)

    public static let shareMismatch = DiagnosticID(
        "E056", "cannot share",
        explanation: """
            `shares NAME` reuses another instance's parameters, which needs the same operation (or
            diagram) with parameters of the same shapes.
            """)

    public static let unknownInstance = DiagnosticID(
        "E057", "no such instance",
        explanation: """
            `shares NAME` names no instance defined before it in this diagram or an enclosing
            scope. Name the first use with `as NAME`.
            """)

    public static let namelessOperation = DiagnosticID(
        "E058", "nothing to name",
        explanation: """
            `as NAME` and `shares NAME` name an operation's parameters; this operation has none
            (`relu`, `softmax`, `einsum`, …), so there is nothing to name or share.
            """)

    public static let emptySlot = DiagnosticID(
        "E060", "nothing saved there",
        explanation: """
            `load C[i]` reads a memory slot that no earlier `save C[i] = …` wrote. The note lists
            what has been saved so far; check the index arithmetic (U-Net's `load C[5 - λ]`).
            """)

    public static let slotWritten = DiagnosticID(
        "E061", "slot written twice",
        explanation: """
            Each memory slot is written once: `save C[λ] = x` in a loop writes one slot per
            iteration. Use another index or another slot name.
            """)
}
