import NCDCore

/// Why a diagram cannot be exported: an operation the target has no rule for, or a size the
/// exported code could not know. Names the operation and where the source wrote it.
public struct ExportError: Error, CustomStringConvertible {
    /// What cannot be exported, in words (`` `causal` over three axes``).
    public let message: String
    /// The operation's source span, when one operation is to blame.
    public let location: SourceSpan?

    public init(_ message: String, at location: SourceSpan? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String { message }
}

extension ExportError {
    /// The refusal for the first box declared without a body, if the diagram calls one:
    /// there is nothing to export (nor to run, nor weights to make).
    public static func firstAbstractBox(in g: DiagramGraph) -> ExportError? {
        for op in g.operations {
            if case .abstract(let name) = op.kind {
                return ExportError(
                    "`\(name)` is declared without a body, so there is nothing to export", at: op.location)
            }
            if case .call(let child) = op.kind, let found = firstAbstractBox(in: child) { return found }
        }
        return nil
    }
}
