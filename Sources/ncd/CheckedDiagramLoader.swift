import ArgumentParser
import Foundation
import NCDCheck
import NCDCore
import NCDSyntax

/// The file, diagram and sizes that `ncd run`, `ncd render` and `ncd bench` take.
struct DiagramSelection: ParsableArguments {
    @Argument(help: "The .ncd file.")
    var file: String

    @Option(help: "The diagram (default: the last one in the file).")
    var diagram: String?

    @Option(name: .customLong("size"), help: "Bind a size (repeatable).")
    var sizes: [SizeBinding] = []
}

/// Reads a file, checks it, and picks the diagram to run or draw: what `ncd run`,
/// `ncd render` and `ncd bench` share. Usage problems and check errors end the command here.
struct CheckedDiagramLoader {
    var source: SourceFile
    var result: CheckResult
    var diagram: CheckedDiagram
    var graph: DiagramGraph

    init(_ selection: DiagramSelection) throws {
        let (file, name, sizes) = (selection.file, selection.diagram, selection.sizes)
        var options = CheckOptions()
        for s in sizes {
            guard s.value > 0 else { throw CLIError.usage("--size \(s.name)=\(s.value): sizes must be positive") }
            options.sizes[s.name] = s.value
        }
        let source: SourceFile
        switch SourceLoader.load(file) {
        case .success(let f): source = f
        case .failure(let e): throw e
        }
        // Locals until every property is set: closures below may not capture self.
        let result = Checker.check(source, options: options)
        let renderer = DiagnosticRenderer(colored: isatty(STDERR_FILENO) != 0)
        for d in result.diagnostics where d.severity == .error {
            FileHandle.standardError.write(Data(renderer.render(d, in: source).utf8))
        }
        if result.hasErrors {
            throw CLIError.checkFailed(errors: result.diagnostics.filter { $0.severity == .error }.count)
        }
        let unknown = Checker.unknownSizeNames(in: result, options: options)
        if !unknown.isEmpty {
            throw CLIError.usage("--size names no axis or constant of \(file): \(unknown.joined(separator: ", "))")
        }
        guard let chosen = name.map({ result.diagram(named: $0) }) ?? result.diagrams.last else {
            throw CLIError.usage(
                "\(file) has no diagram\(name.map { " `\($0)`" } ?? "")\(result.diagrams.isEmpty ? "" : "; it has " + result.diagrams.map(\.name).joined(separator: ", "))"
            )
        }
        guard let graph = chosen.graph else {
            throw CLIError.usage(
                "`\(chosen.name)` cannot stand on its own: \(chosen.isAbstract ? "it has no body" : "give its size parameters defaults, or call it from a diagram (and open it there with `ncd render --expand \(chosen.name)`)")"
            )
        }
        self.source = source
        self.result = result
        self.diagram = chosen
        self.graph = graph
    }
}
