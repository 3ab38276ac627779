import ArgumentParser
import Foundation
import NCDCheck
import NCDSyntax

/// `ncd repl`: explore shapes interactively.
struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explore shapes interactively: declarations, expressions and :commands.",
        discussion: "Reads commands line by line without prompts when standard input is not a terminal.")

    @Argument(help: "Files to load first.")
    var files: [String] = []

    func run() throws {
        let interactive = isatty(STDIN_FILENO) != 0
        let colored = interactive && isatty(STDERR_FILENO) != 0
        let session = ReplSession(
            renderer: DiagnosticRenderer(colored: colored),
            write: { FileHandle.standardOutput.write(Data($0.utf8)) },
            writeError: { FileHandle.standardError.write(Data($0.utf8)) })
        for file in files { session.load(file) }
        if interactive {
            print("ncd repl — :help for commands, Ctrl-D to leave")
            var reader = EditLineReader()
            loop(session, &reader)
        } else {
            var reader = PlainLineReader()
            loop(session, &reader)
        }
    }

    func loop(_ session: ReplSession, _ reader: inout some LineReader) {
        var buffer: [String] = []
        while !session.finished {
            completionCandidates = Self.candidates(session)
            switch reader.readLine(prompt: buffer.isEmpty ? "ncd> " : "...> ") {
            case .end:
                if !buffer.isEmpty { session.handle(buffer.joined(separator: "\n")) }
                return
            case .cancelled:
                buffer.removeAll()
            case .line(let line):
                buffer.append(line)
                let input = buffer.joined(separator: "\n")
                guard InputCompleteness.isComplete(input) else { continue }
                buffer.removeAll()
                if !input.trimmingCharacters(in: .whitespaces).isEmpty { reader.remember(input) }
                session.handle(input)
            }
        }
    }

    /// What Tab offers: commands, built-ins, keywords, axes, diagrams and workspace names.
    static func candidates(_ session: ReplSession) -> [String] {
        let checked = session.workspace.check()
        var names = ReplSession.commands.map { ":" + $0.name }
        names += Builtins.publicNames + Keyword.allCases.map(\.rawValue)
        names += checked.result.axes.map(\.name)
        names += checked.result.diagrams.map(\.name).filter { $0 != Workspace.scratchName }
        names += session.workspace.inputs.flatMap(\.names) + session.workspace.assignments.flatMap(\.names)
        return Array(Set(names))
    }
}
