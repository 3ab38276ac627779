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
