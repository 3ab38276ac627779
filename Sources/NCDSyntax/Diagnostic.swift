/// How serious a diagnostic is.
public enum Severity: String, Sendable, Comparable {
    case note, warning, error

    public static func < (a: Severity, b: Severity) -> Bool {
        let order: [Severity] = [.note, .warning, .error]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// A suggested edit: replace the text in `range` by `replacement`.
public struct FixIt: Hashable, Sendable {
    /// What the edit does, in words ("did you mean `d_model`?").
    public var message: String
    /// The text to replace.
    public var range: SourceRange
    /// The new text.
    public var replacement: String

    public init(_ message: String, range: SourceRange, replacement: String) {
        self.message = message
        self.range = range
        self.replacement = replacement
    }
}

/// A secondary message attached to a diagnostic, optionally pointing at another place.
public struct DiagnosticNote: Hashable, Sendable {
    /// The note's text.
    public var message: String
    /// Where it points, if anywhere (in the same file as the diagnostic).
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// A diagnostic's stable identity, such as `E010`: which kind of problem it is, whatever the
/// details of its message. `ncd check --explain E010` prints the explanation; tests match it.
public struct DiagnosticID: Hashable, Sendable, CustomStringConvertible {
    /// `E010` for errors, `W001` for warnings.
    public let code: String
    /// A few words: "unknown axis".
    public let title: String
    /// A paragraph or two on what is wrong and how to fix it, with an example.
    public let explanation: String

    public init(_ code: String, _ title: String, explanation: String) {
        self.code = code
        self.title = title
        self.explanation = explanation
    }

    public var description: String { code }

    public static func == (a: DiagnosticID, b: DiagnosticID) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// One message about a source file: data, rendered in one place (``DiagnosticRenderer``).
public struct Diagnostic: Hashable, Sendable {
    /// What kind of problem this is.
    public var id: DiagnosticID
    /// Error, warning or note.
    public var severity: Severity
    /// The main message, one line, no trailing period.
    public var message: String
    /// Where the problem is.
    public var range: SourceRange
    /// Further explanation, e.g. where an axis size came from.
    public var notes: [DiagnosticNote]
    /// Suggested edits.
    public var fixIts: [FixIt]

    public init(
        _ id: DiagnosticID, _ severity: Severity, _ message: String, at range: SourceRange,
        notes: [DiagnosticNote] = [], fixIts: [FixIt] = []
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.fixIts = fixIts
    }

    /// An error at a range.
    public static func error(
        _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = [],
        fixIts: [FixIt] = []
    ) -> Diagnostic {
        Diagnostic(id, .error, message, at: range, notes: notes, fixIts: fixIts)
    }

    /// A warning at a range.
    public static func warning(
        _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = [],
        fixIts: [FixIt] = []
    ) -> Diagnostic {
        Diagnostic(id, .warning, message, at: range, notes: notes, fixIts: fixIts)
    }
}

/// Collects diagnostics for one source file, dropping repeats (a generic diagram
/// instantiated twice must not report the same mistake twice).
public struct DiagnosticBag: Sendable {
    /// The diagnostics, in the order they were reported.
    public private(set) var all: [Diagnostic] = []
    private var seen: Set<Key> = []

    private struct Key: Hashable {
        var severity: Severity
        var message: String
        var range: SourceRange
    }

    public init() {}

    /// Adds a diagnostic unless one with the same severity, message and place is present.
    public mutating func report(_ diagnostic: Diagnostic) {
        let key = Key(severity: diagnostic.severity, message: diagnostic.message, range: diagnostic.range)
        if seen.insert(key).inserted { all.append(diagnostic) }
    }

    /// Whether any error was reported.
    public var hasErrors: Bool { all.contains { $0.severity == .error } }

    /// The number of errors.
    public var errorCount: Int { all.filter { $0.severity == .error }.count }

    /// The diagnostics sorted by position, errors before warnings at the same place.
    public var sorted: [Diagnostic] {
        all.enumerated().sorted { a, b in
            if a.element.range.start != b.element.range.start {
                return a.element.range.start < b.element.range.start
            }
            return a.offset < b.offset
        }.map(\.element)
    }
}
