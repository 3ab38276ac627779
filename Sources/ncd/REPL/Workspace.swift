import NCDCheck
import NCDSyntax

/// The REPL's state, kept as source text and re-checked as one file on every change, so the
/// REPL has exactly the checker, errors and types of `ncd check`.
///
/// Declarations (typed or loaded from files) come first; then a workspace diagram whose
/// inputs are the variables declared with `q: [y, k]` and whose body is the assignments.
/// A bare expression is checked as that body's `return`.
struct Workspace {
    /// A piece of the composed source and where it came from.
    struct Chunk {
        /// `<input>` for typed text, else the file's path.
        var origin: String
        var text: String
        /// Names a declaration chunk declares, or the input or assigned names.
        var names: [String]
    }

    static let scratchName = "__workspace__"

    var declarations: [Chunk] = []
    var inputs: [Chunk] = []
    var assignments: [Chunk] = []
    var sizes: [String: Int] = [:]

    /// Where a chunk sits in the composed file, and how many synthesized bytes precede the
    /// user's text in it (`return ` before a bare expression).
    struct Placement {
        var chunk: Chunk
        var start: Int
        var prefix: Int
    }

    /// The result of checking the workspace with an optional extra chunk.
    struct Checked {
        var result: CheckResult
        var file: SourceFile
        var placements: [Placement]
        /// The placement of the extra chunk, if one was given.
        var extra: Placement?

        /// The workspace diagram's graph.
        var scratch: CheckedDiagram? { result.diagram(named: Workspace.scratchName) }
    }

    /// Composes and checks. `extra` is appended as a declaration, an input, or (with a
    /// prefix such as `return `) a body statement.
    func check(extraDeclaration: Chunk? = nil, extraInput: Chunk? = nil, extraStatement: (Chunk, prefix: String)? = nil)
        -> Checked
    {
        var text = ""
        var placements: [Placement] = []
        var extra: Placement?
        func append(_ chunk: Chunk, prefix: String = "", suffix: String = "\n", isExtra: Bool = false) {
            let placement = Placement(chunk: chunk, start: text.utf8.count, prefix: prefix.utf8.count)
            text += prefix + chunk.text + suffix
            placements.append(placement)
            if isExtra { extra = placement }
        }
        for d in declarations { append(d) }
        if let d = extraDeclaration { append(d, isExtra: true) }
        text += "diagram \(Workspace.scratchName)(\n"
        let allInputs = inputs + (extraInput.map { [$0] } ?? [])
        for (i, input) in allInputs.enumerated() {
            append(
                input, suffix: i == allInputs.count - 1 ? "\n" : ",\n",
                isExtra: extraInput != nil && i == allInputs.count - 1)
        }
        text += ") -> [] {\n"
        for a in assignments { append(a) }
        if let (chunk, prefix) = extraStatement { append(chunk, prefix: prefix, isExtra: true) }
        text += "}\n"
        let file = SourceFile(name: "<workspace>", text: text)
        let result = Checker.check(file, options: CheckOptions(sizes: sizes, scratchDiagram: Workspace.scratchName))
        return Checked(result: result, file: file, placements: placements, extra: extra)
    }
}

extension Workspace.Checked {
    /// The diagnostics that fall in the extra chunk (or all, when `all`), rendered against
    /// the chunk's own text, so line numbers and carets are those the user typed.
    func render(all: Bool = false, renderer: DiagnosticRenderer) -> (text: String, errors: Int) {
        var out = ""
        var errors = 0
        for d in result.diagnostics {
            guard let p = placement(of: d.range.start) else {
                if all || extra == nil {
                    out += "\(d.severity.rawValue): \(d.message)\n"
                    if d.severity == .error { errors += 1 }
                }
                continue
            }
            guard all || p.start == extra?.start else { continue }
            if d.severity == .error { errors += 1 }
            out += renderer.render(shift(d, into: p), in: SourceFile(name: p.chunk.origin, text: p.chunk.text))
        }
        return (out, errors)
    }

    /// Whether the check found errors in the extra chunk (or anywhere, when `all`).
    func hasErrors(all: Bool = false) -> Bool {
        result.diagnostics.contains { d in
            d.severity == .error && (all || placement(of: d.range.start)?.start == extra?.start)
        }
    }

    /// `origin:line` of a workspace offset, as the user sees it.
    func location(of offset: Int) -> String {
        guard let p = placement(of: offset) else { return "?" }
        let line = SourceFile(name: p.chunk.origin, text: p.chunk.text).line(of: max(0, offset - p.start - p.prefix))
        return "\(p.chunk.origin):\(line)"
    }

    func placement(of offset: Int) -> Workspace.Placement? {
        placements.last { p in
            offset >= p.start && offset <= p.start + p.prefix + p.chunk.text.utf8.count
        }
    }

    private func shift(_ d: Diagnostic, into p: Workspace.Placement) -> Diagnostic {
        let base = p.start + p.prefix
        let length = p.chunk.text.utf8.count
        func move(_ r: SourceRange) -> SourceRange {
            SourceRange(start: min(max(0, r.start - base), length), end: min(max(0, r.end - base), length))
        }
        var d = d
        d.range = move(d.range)
        d.notes = d.notes.map { note in
            // A note elsewhere in the workspace keeps its message; its place would mislead.
            guard let r = note.range, placement(of: r.start)?.start == p.start else {
                return DiagnosticNote(note.message)
            }
            return DiagnosticNote(note.message, at: move(r))
        }
        d.fixIts = d.fixIts.map { FixIt($0.message, range: move($0.range), replacement: $0.replacement) }
        return d
    }
}
