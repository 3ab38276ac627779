import Foundation
import NCDCheck
import NCDCore
import NCDSyntax

/// Interprets complete inputs: `:commands`, declarations, workspace variables `q: [y, k]`,
/// assignments and bare expressions. A failed input leaves the state as it was.
final class ReplSession {
    var workspace = Workspace()
    /// Files loaded with `:load` (or on the command line), for `:reload`.
    private var loadedFiles: [String] = []
    let renderer: DiagnosticRenderer
    let write: (String) -> Void
    let writeError: (String) -> Void
    private(set) var finished = false

    /// Prints an error as every command renders it (``CLIError``), and carries on: the
    /// REPL never exits on one.
    func report(_ error: CLIError) { writeError(error.description + "\n") }

    /// Prints any error a command could end with, as that command would.
    func report(_ error: Error) { report(CLIError(error)) }

    init(renderer: DiagnosticRenderer, write: @escaping (String) -> Void, writeError: @escaping (String) -> Void) {
        self.renderer = renderer
        self.write = write
        self.writeError = writeError
    }

    /// Handles one complete input, which may span several lines.
    func handle(_ input: String) {
        let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.hasPrefix("#") || text.contains("\n") else { return }
        if text.hasPrefix(":") {
            command(text)
        } else {
            switch InputKind.classify(text) {
            case .declaration: declare(text)
            case .variable(let name): declareVariable(name, text)
            case .assignment(let names): assign(names, text)
            case .expression: showType(of: text)
            case .bodyStatement(let word, let range): refuseBodyStatement(word, range, text)
            }
        }
    }

    // MARK: Language inputs

    func declare(_ text: String) {
        let (unit, _) = Parser.parse(SourceFile(name: "<input>", text: text))
        let names = unit.declarations.flatMap(Self.declaredNames)
        let chunk = Workspace.Chunk(origin: "<input>", text: text, names: names)
        // A redefinition typed at the prompt replaces the earlier typed definition.
        var candidate = workspace
        candidate.declarations.removeAll { $0.origin == "<input>" && !Set($0.names).isDisjoint(with: names) }
        let checked = candidate.check(extraDeclaration: chunk)
        report(checked)
        guard !checked.hasErrors(all: true) else { return }
        candidate.declarations.append(chunk)
        workspace = candidate
        for name in names {
            if let d = checked.result.diagram(named: name) {
                write("diagram \(d.name)\n")
            } else if let a = checked.result.axes.first(where: { $0.name == name }) {
                write("axis \(describe(a))\n")
            } else {
                write("const \(name)\n")
            }
        }
    }

    func declareVariable(_ name: String, _ text: String) {
        var candidate = workspace
        candidate.inputs.removeAll { $0.names == [name] }
        let checked = candidate.check(extraInput: Workspace.Chunk(origin: "<input>", text: text, names: [name]))
        report(checked)
        guard !checked.hasErrors(all: true) else { return }
        candidate.inputs.append(Workspace.Chunk(origin: "<input>", text: text, names: [name]))
        workspace = candidate
        printBindings([name], in: checked)
    }

    func assign(_ names: [String], _ text: String) {
        let chunk = Workspace.Chunk(origin: "<input>", text: text, names: names)
        let checked = workspace.check(extraStatement: (chunk, ""))
        report(checked)
        guard !checked.hasErrors(all: true) else { return }
        workspace.assignments.append(chunk)
        printBindings(names, in: checked)
    }

    func showType(of text: String) {
        let checked = workspace.check(
            extraStatement: (Workspace.Chunk(origin: "<input>", text: text, names: []), "return "))
        report(checked)
        guard !checked.hasErrors(all: true), let g = checked.scratch?.graph else { return }
        for id in g.outputs { write(Self.typeLine(g.type(of: id)) + "\n") }
    }

    /// The type with, where every size is known, its element count and bytes.
    static func typeLine(_ type: ArrayType) -> String { "\(type)\(Report.elements(type))" }

    private func printBindings(_ names: [String], in checked: Workspace.Checked) {
        guard let g = checked.scratch?.graph else { return }
        for name in names {
            if let v = g.values.last(where: { $0.name == name }) { write("\(name) : \(Self.typeLine(v.type))\n") }
        }
    }

    func report(_ checked: Workspace.Checked, all: Bool = false) {
        let (text, _) = checked.render(all: all, renderer: renderer)
        if !text.isEmpty { writeError(text) }
    }

    func describe(_ a: GlobalAxis) -> String { "\(a.name) = \(a.isFree ? "free" : a.size.description)" }

    static func declaredNames(_ d: Declaration) -> [String] {
        switch d {
        case .axes(let defs): return defs.map(\.name.text)
        case .constant(let name, _): return [name.text]
        case .diagram(let decl): return [decl.name.text]
        }
    }

    // MARK: Files

    /// Loads a file's declarations; on errors the workspace is unchanged.
    @discardableResult
    func load(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else {
            report(.usage("cannot read \(path)"))
            return false
        }
        let text = String(decoding: data, as: UTF8.self)
        let (unit, _) = Parser.parse(SourceFile(name: path, text: text))
        let chunk = Workspace.Chunk(origin: path, text: text, names: unit.declarations.flatMap(Self.declaredNames))
        var candidate = workspace
        // The file replaces its earlier version, and typed declarations of the same names.
        candidate.declarations.removeAll {
            $0.origin == path || ($0.origin == "<input>" && !Set($0.names).isDisjoint(with: chunk.names))
        }
        let checked = candidate.check(extraDeclaration: chunk)
        report(checked)
        guard !checked.hasErrors(all: true) else {
            writeError("\(path) not loaded\n")
            return false
        }
        candidate.declarations.append(chunk)
        workspace = candidate
        if !loadedFiles.contains(path) { loadedFiles.append(path) }
        let diagrams = unit.declarations.filter { if case .diagram = $0 { return true } else { return false } }.count
        write(
            "loaded \(path): \(chunk.names.count - diagrams) axes and constants, \(diagrams) diagram\(diagrams == 1 ? "" : "s")\n"
        )
        return true
    }

    func reload() {
        guard !loadedFiles.isEmpty else {
            report(.usage("no file has been loaded"))
            return
        }
        let saved = workspace
        for path in loadedFiles where !load(path) {
            workspace = saved
            writeError("reload abandoned; the workspace is unchanged\n")
            return
        }
    }

    /// `for`, `save`, `return`, `region` and `note` belong in a diagram's body, where they
    /// mean something; the prompt binds values one at a time.
    func refuseBodyStatement(_ word: String, _ range: SourceRange, _ text: String) {
        let purpose = word == "region" || word == "note" ? ", where it groups statements for the picture" : ""
        let d = Diagnostic.error(
            .syntax,
            "`\(word)` belongs in a diagram's body\(purpose); at the prompt, bind values one at a time with "
                + "`name = …`, or `:load` a file that declares the diagram",
            at: range)
        writeError(renderer.render(d, in: SourceFile(name: "<input>", text: text)))
    }

    func quit() { finished = true }
}

/// What kind of language input a line is, from its first tokens.
enum InputKind: Equatable {
    case declaration
    /// `q: [y, k]`
    case variable(String)
    /// `a = …` or `a, b = …`
    case assignment([String])
    case expression
    /// `for`, `save`, `return`, `region "…"`, `note "…"`: statements of a diagram's body.
    case bodyStatement(String, SourceRange)

    static func classify(_ text: String) -> InputKind {
        var lexer = Lexer(file: SourceFile(name: "<input>", text: text))
        let tokens = lexer.tokenize()
        guard let first = tokens.first else { return .expression }
        if first.is(.axis) || first.is(.const) || first.is(.diagram) { return .declaration }
        if first.is(.for) || first.is(.save) || first.is(.return)
            || (first.kind == .identifier && ["region", "note"].contains(first.text) && tokens.count > 1
                && tokens[1].kind == .string)
        {
            return .bodyStatement(first.text, first.range)
        }
        guard first.kind == .identifier, tokens.count > 1 else { return .expression }
        if tokens[1].is(.colon) { return .variable(first.text) }
        var names = [first.text]
        var i = 1
        while i + 1 < tokens.count, tokens[i].is(.comma), tokens[i + 1].kind == .identifier {
            names.append(tokens[i + 1].text)
            i += 2
        }
        return i < tokens.count && tokens[i].is(.equal) ? .assignment(names) : .expression
    }
}
