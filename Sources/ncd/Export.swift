import ArgumentParser
import Foundation
import NCDCore
import NCDExec
import NCDExport
import NCDFiles

/// `ncd export`: the checked diagram as a PyTorch module or an ONNX model.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a checked diagram as a PyTorch module or an ONNX model.",
        discussion:
            "The module's state_dict() keys and shapes are ncd's parameter names and layouts, so weights move between ncd and PyTorch unchanged. An ONNX model (opset 18) holds the weights of --weights (or the seeded initialisation) as initializers named by the same names, and computes evaluation mode unless --train. Exits 65 if the file has errors or an operation cannot be exported (naming it and its line), 64 on a usage error."
    )

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case torch, onnx
    }

    @OptionGroup var selection: DiagramSelection

    @Option(help: "What to export to: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var to: Target

    @Option(name: .shortAndLong, help: "The file to write.")
    var output: String

    @Option(
        help:
            "A .safetensors file of the parameters: checked to fit the module (torch), or the values the model holds (onnx)."
    )
    var weights: String?

    @Flag(help: "ONNX: a graph only, its parameters inputs named as the weights are.")
    var noWeights = false

    @Flag(help: "ONNX: training-mode semantics (dropout drops, batch norm uses the batch's statistics).")
    var train = false

    @Option(help: "ONNX: the seed of the initialisation when no --weights are given.")
    var seed: UInt64 = 0

    func run() throws {
        let loaded = try CheckedDiagramLoader(selection)
        try OutputPath.checkWritable(output)
        if to == .torch && (noWeights || train) {
            throw CLIError.usage("--no-weights and --train are for --to onnx: a PyTorch module has both modes")
        }
        if noWeights && weights != nil { throw CLIError.usage("--no-weights and --weights exclude each other") }
        let sizes = Dictionary(selection.sizes.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
        let (source, file) = (loaded.source, selection.file)
        let bytes: [UInt8]
        let what: String
        do {
            if let refusal = ExportError.firstAbstractBox(in: loaded.graph) { throw refusal }
            // The same check `ncd run --weights` makes: names, shapes, nothing missing or extra.
            let executor = try Executor(
                graph: loaded.graph, sizes: try Self.withStandIns(loaded.graph, sizes), seed: seed)
            if let weights { try executor.load(try WeightsFile.tensors(weights)) }
            switch to {
            case .torch:
                let exporter = TorchExporter(
                    entry: loaded.graph, sizes: sizes,
                    source: .init(fileName: URL(fileURLWithPath: file).lastPathComponent) {
                        source.lineColumn(of: $0.start).line
                    })
                let module = try exporter.module()
                (bytes, what) = (Array(module.text.utf8), "the PyTorch module \(module.className)")
            case .onnx:
                let values = noWeights ? nil : try executor.allParameters().mapValues { ($0.shape, $0.storage) }
                let exporter = OnnxExporter(
                    entry: loaded.graph, sizes: sizes, weights: values, training: train,
                    idInputs: Set(try executor.idInputs().keys))
                bytes = try exporter.model()
                let mode = "\(train ? "training" : "evaluation") mode\(noWeights ? ", no weights" : "")"
                what = "an ONNX model (opset \(OnnxExporter.opset), \(mode))"
            }
        } catch let error as ExportError {
            let place = error.location.map { span -> String in
                let (line, column) = source.lineColumn(of: span.start)
                return "\(file):\(line):\(column): "
            }
            throw CLIError.exportRefused(
                "\(place ?? "")cannot export `\(loaded.graph.name)` to \(to.rawValue): \(error)")
        }
        try AtomicFile.write(bytes, to: output)
        print("wrote \(output): `\(loaded.graph.name)` as \(what)")
    }

    /// The sizes, with every free size the parameters do not depend on given a stand-in,
    /// so the parameters can be made to compare their shapes.
    static func withStandIns(_ graph: DiagramGraph, _ sizes: [String: Int]) throws -> [String: Int] {
        var all = sizes
        for symbol in TorchExporter.freeSymbols(graph) where all[symbol] == nil { all[symbol] = 1 }
        return all
    }
}
