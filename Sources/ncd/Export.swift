import ArgumentParser
import Foundation
import NCDCore
import NCDExec
import NCDExport
import NCDFiles

/// `ncd export`: the checked diagram as a PyTorch module.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a checked diagram as a PyTorch module.",
        discussion:
            "The module's state_dict() keys and shapes are ncd's parameter names and layouts, so weights move between ncd and PyTorch unchanged. Exits 65 if the file has errors or an operation cannot be exported (naming it and its line), 64 on a usage error."
    )

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case torch
    }

    @OptionGroup var selection: DiagramSelection

    @Option(help: "What to export to: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var to: Target

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    @Option(help: "Check that a .safetensors file holds exactly the module's parameters.")
    var weights: String?

    func run() throws {
        let loaded = try CheckedDiagramLoader(selection)
        try OutputPath.checkWritable(output)
        let sizes = Dictionary(selection.sizes.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        if let weights {
            // The same check `ncd run --weights` makes: names, shapes, nothing missing or extra.
            let executor = try Executor(graph: loaded.graph, sizes: try Self.withStandIns(loaded.graph, sizes))
            try executor.load(try WeightsFile.tensors(weights))
        }
        let source = loaded.source
        let file = selection.file
        let exporter = TorchExporter(
            entry: loaded.graph, sizes: sizes,
            source: .init(fileName: URL(fileURLWithPath: file).lastPathComponent) {
                source.lineColumn(of: $0.start).line
            })
        let module: TorchExporter.Module
        do { module = try exporter.module() } catch let error as ExportError {
            let place = error.location.map { span -> String in
                let (line, column) = source.lineColumn(of: span.start)
                return "\(file):\(line):\(column): "
            }
            throw CLIError.exportRefused(
                "\(place ?? "")cannot export `\(loaded.graph.name)` to \(to.rawValue): \(error)")
        }
        try AtomicFile.write(Array(module.text.utf8), to: output)
        print("wrote \(output): `\(loaded.graph.name)` as the PyTorch module \(module.className)")
    }

    /// The sizes, with every free size the parameters do not depend on given a stand-in,
    /// so the parameters can be made to compare their shapes.
    static func withStandIns(_ graph: DiagramGraph, _ sizes: [String: Int]) throws -> [String: Int] {
        var all = sizes
        for symbol in TorchExporter.freeSymbols(graph) where all[symbol] == nil { all[symbol] = 1 }
        return all
    }
}
