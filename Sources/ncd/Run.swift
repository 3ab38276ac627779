import ArgumentParser
import Foundation
import NCDCheck
import NCDCore
import NCDExec
import NCDFiles
import NCDSyntax
import NCDTensor

/// `ncd run`: check a diagram, then run it forward (and backward with `--grad`).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a checked diagram on ncd's tensor runtime, forward and optionally backward.",
        discussion:
            "Inputs come from .npy files (--input NAME=PATH) or seeded random values. Exits 65 if the file has errors, 64 on a usage or input-file error, 70 if running fails."
    )

    @OptionGroup var selection: DiagramSelection

    @Option(name: .customLong("input"), help: "Read an input from a .npy file: NAME=PATH (repeatable).")
    var inputs: [String] = []

    @Option(help: "Seed for random inputs and parameters.")
    var seed: UInt64 = 0

    @Flag(help: "Run backward from the loss (a scalar output) or the sum of the outputs.")
    var grad = false

    @Flag(help: "Training mode: dropout drops, batch norm uses batch statistics.")
    var train = false

    @Option(help: "Write outputs (and gradients, with --grad) as .npy files into this directory.")
    var out: String?

    @Option(help: "Threads for the runtime.")
    var threads: Int = 1

    @Option(help: "Read parameters from a .safetensors file, keyed by their dotted names.")
    var weights: String?

    @Option(help: "Write the parameters (after the run) to a .safetensors file.")
    var saveWeights: String?

    @Flag(help: "Stop at the first operation that produces NaN or infinity, naming it.")
    var checkNumerics = false

    @OptionGroup var memory: MemoryLimit

    func run() throws {
        let loaded = try CheckedDiagramLoader(selection)
        let file = selection.file
        let (source, graph) = (loaded.source, loaded.graph)
        TensorThreads.set(threads)
        let limit = try memory.resolved()
        do {
            let files = try readInputFiles(graph)
            let sizes: [String: Int]
            do { sizes = try InputSizes.bind(graph, files: files) } catch { throw CLIError.usage("\(error)") }
            let executor = try Executor(graph: graph, sizes: sizes, seed: seed)
            executor.training = train
            executor.checkNumerics = checkNumerics
            try MemoryGuard.check(executor, withGradients: grad, limit: limit.bytes, reason: limit.reason)
            if let weights { try executor.load(try WeightsFile.tensors(weights)) }
            let values = try loadInputs(executor, files)
            let variables = values.map { Variable($0, requiresGrad: grad) }
            let outputs = try executor.run(variables)
            for (i, (o, id)) in zip(outputs, graph.outputs).enumerated() {
                print("output \(i + 1) : \(graph.type(of: id))  \(Statistics.describe(o.value))")
            }
            if grad { try backward(outputs, executor, variables) }
            if let out { try write(outputs, executor, variables, to: out) }
            if let saveWeights {
                try AtomicFile.write(SafeTensors.encode(try executor.allParameters()), to: saveWeights)
                print("saved \(executor.parameterNames.count) parameters to \(saveWeights)")
            }
        } catch ExecError.nonFinite(let operation, let instance, let location, let value) {
            // The one error that names its place in the source: where the file is known.
            let (line, column) = source.lineColumn(of: location.start)
            let error = ExecError.nonFinite(operation: operation, instance: instance, location: location, value: value)
            throw CLIError.runtime("\(file):\(line):\(column): \(error)")
        }
    }

    /// The `--input NAME=PATH` files, read and matched to the diagram's inputs.
    func readInputFiles(_ graph: DiagramGraph) throws -> [InputSizes.File] {
        let names = graph.inputs.compactMap { graph.values[$0].name }
        return try inputs.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CLIError.usage("--input takes NAME=PATH, got `\(spec)`") }
            guard names.contains(parts[0]) else {
                throw CLIError.usage(
                    "`\(graph.name)` has no input `\(parts[0])`; its inputs are \(names.joined(separator: ", "))")
            }
            guard let data = FileManager.default.contents(atPath: parts[1]) else {
                throw CLIError.usage("cannot read \(parts[1])")
            }
            do {
                let tensor = try NumPyFile.read([UInt8](data))
                if let bad = tensor.storage.firstIndex(where: { !$0.isFinite }) {
                    let position = tensor.shape.isEmpty ? "" : " at index \(Self.index(bad, in: tensor.shape))"
                    throw CLIError.usage("\(parts[1]) (input `\(parts[0])`) holds \(tensor.storage[bad])\(position)")
                }
                return InputSizes.File(input: parts[0], path: parts[1], tensor: tensor)
            } catch {
                throw CLIError.usage("\(parts[1]): \(error)")
            }
        }
    }

    /// `[1, 3]`: a flat position in a row-major shape.
    static func index(_ flat: Int, in shape: [Int]) -> [Int] {
        var rest = flat
        return shape.reversed().map { n in
            defer { rest /= max(n, 1) }
            return rest % max(n, 1)
        }.reversed()
    }

    func loadInputs(_ executor: Executor, _ files: [InputSizes.File]) throws -> [Tensor<Float>] {
        let names = try executor.inputShapes()
        let given = Dictionary(files.map { ($0.input, $0.tensor) }, uniquingKeysWith: { _, last in last })
        let random = try executor.randomInputs()
        return try zip(names, random).map { input, fallback in
            guard let t = given[input.name] else { return fallback }
            guard t.shape == input.shape else {
                throw CLIError.usage(
                    "input `\(input.name)` should have shape \(input.shape) (axes \(input.axes.joined(separator: ", "))), but the file holds \(t.shape)"
                )
            }
            return t
        }
    }

    func backward(_ outputs: [Variable<Float>], _ executor: Executor, _ inputs: [Variable<Float>]) throws {
        guard let (loss, chosen) = try Executor.objective(outputs) else { return }
        try loss.backward()
        print("loss \(loss.value.storage[0])  (\(chosen))")
        for name in executor.parameterNames {
            guard let g = executor.parameters[name]?.grad else { continue }
            let norm = g.storage.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            print(
                "  ∇ \(name)  \(g.shape.map(String.init).joined(separator: "×"))  norm \(String(format: "%.6g", norm))")
        }
    }

    func write(_ outputs: [Variable<Float>], _ executor: Executor, _ inputs: [Variable<Float>], to directory: String)
        throws
    {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (i, o) in outputs.enumerated() { try NumPyFile.write(o.value, to: "\(directory)/output\(i + 1).npy") }
            if grad {
                for name in executor.parameterNames {
                    if let g = executor.parameters[name]?.grad {
                        try NumPyFile.write(g, to: "\(directory)/grad.\(name).npy")
                    }
                }
                for (input, v) in zip(try executor.inputShapes(), inputs) {
                    if let g = v.grad { try NumPyFile.write(g, to: "\(directory)/grad.input.\(input.name).npy") }
                }
            }
            print("wrote \(directory)/")
        } catch let error as CocoaError {
            throw CLIError.usage("cannot write into \(directory): \(error.localizedDescription)")
        }
    }
}
