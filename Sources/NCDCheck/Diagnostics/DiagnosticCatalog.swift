import NCDSyntax

/// Every diagnostic ncd can report, for `ncd check --explain` and for the tests that keep
/// the codes unique and explained.
public enum DiagnosticCatalog {
    public static let all: [DiagnosticID] =
        DiagnosticID.syntaxIDs + [
            .unknownAxis, .unknownName, .unknownOperation, .duplicateDefinition, .reservedName, .shadowedName,
            .unreachable, .missingReturn, .outputCount, .bindingCount,
            .notWhole, .sizeOutOfRange, .sizeArithmetic, .sizeCycle, .unknownSize, .expectedSize, .loopTooLong,
            .operationBudget, .nonFiniteFactor,
            .typeMismatch, .elementKind, .sizeMismatch, .axisOrder, .repeatedAxis, .missingAxis, .einsumPattern,
            .elementCount,
            .concatMismatch, .arrayExpected, .indexedTwice,
            .specShape, .unknownOption, .repeatedOption, .optionValue, .argumentCount, .windowFit, .indexRange,
            .lossTargets, .axisRole, .overOnBuiltin,
            .recursion, .callDepth, .genericBinding, .argumentRank, .sizeParameters, .duplicateInstance,
            .shareMismatch, .unknownInstance, .namelessOperation, .emptySlot, .slotWritten,
            .unused, .replacedBeforeUse, .broadcastGrows, .uncheckedTemplate, .emptyRegion,
        ]

    /// The diagnostic with this code (`E010`, case-insensitive), if any.
    public static func explanation(of code: String) -> DiagnosticID? {
        all.first { $0.code == code.uppercased() }
    }
}
