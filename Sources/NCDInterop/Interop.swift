import Foundation
import NCDCheck
import NCDCore
import NCDExec
import NCDExport
import NCDSyntax
import NCDTensor

/// The package's root, for the interop scripts and the venv.
public let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The Python the interop tests run: `NCD_PYTHON`, else the venv `.ci/run` makes; nil, with
/// the reason, when neither has torch, onnx, onnxruntime and safetensors.
public func interopPython() -> (path: String?, reason: String) {
    let candidates = [
        ProcessInfo.processInfo.environment["NCD_PYTHON"], repository.path + "/.build/interop-venv/bin/python",
    ]
    .compactMap { $0 }
    for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
        let probe = runProgram(path, ["-c", "import torch, onnx, onnxruntime, safetensors, numpy"])
        if probe.status == 0 { return (path, "") }
        return (nil, "\(path) lacks a module: \(probe.output.split(separator: "\n").last ?? "")")
    }
    return (
        nil,
        "no Python with torch, onnx and onnxruntime: set NCD_PYTHON or run .ci/run, which makes .build/interop-venv"
    )
}

/// Runs a program to its end; its status and its stdout and stderr together.
public func runProgram(_ program: String, _ arguments: [String]) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// One diagram to export and compare: its source, and the sizes it is checked (and run) with.
public struct InteropCase {
    public var name: String
    public var fileName: String
    public var text: String
    public var diagram: String?
    /// Sizes bound when checking: fixed in the exported code.
    public var checkSizes: [String: Int]
    /// Free sizes left free by the check and the export, bound only to run.
    public var runSizes: [String: Int]

    public init(
        name: String, fileName: String, text: String, diagram: String? = nil, checkSizes: [String: Int] = [:],
        runSizes: [String: Int] = [:]
    ) {
        self.name = name
        self.fileName = fileName
        self.text = text
        self.diagram = diagram
        self.checkSizes = checkSizes
        self.runSizes = runSizes
    }

    /// A case read from a file.
    public init(
        name: String, file: URL, diagram: String?, checkSizes: [String: Int] = [:], runSizes: [String: Int] = [:]
    )
        throws
    {
        self.init(
            name: name, fileName: file.lastPathComponent, text: try String(contentsOf: file, encoding: .utf8),
            diagram: diagram, checkSizes: checkSizes, runSizes: runSizes)
    }
}

/// Writes a case's folder for `check_torch.py`: the exported module, the inputs and weights
/// ncd ran with, and what ncd computed in each mode (outputs, the random weights of the
/// loss Σ outputs ⊙ R, the gradients of that loss, the buffers after the run). Returns
/// false, writing nothing, when ncd itself cannot run the diagram.
public func prepare(_ c: InteropCase, in root: URL) throws -> Bool {
    let source = SourceFile(name: c.fileName, text: c.text)
    let result = Checker.check(source, options: CheckOptions(sizes: c.checkSizes))
    guard !result.hasErrors else { throw ExportError("\(c.name) has errors") }
    guard let graph = (c.diagram.map { result.diagram(named: $0) } ?? result.diagrams.last)?.graph else {
        throw ExportError("\(c.name): no graph")
    }
    let probe = try Executor(graph: graph, sizes: c.runSizes, seed: 3)
    let ids = try probe.idInputs()
    let names = graph.inputs.map { graph.values[$0].name ?? "input\($0)" }
    let modes = hasDropout(graph) ? ["eval"] : ["eval", "train"]
    var files: [String: [UInt8]] = [:]
    for mode in modes {
        let e = try Executor(graph: graph, sizes: c.runSizes, seed: 3)
        e.training = mode == "train"
        let weights = try e.allParameters()
        files["weights.safetensors"] = try SafeTensors.encode(weights)
        let inputs = try e.randomInputs()
        files["inputs.safetensors"] = try SafeTensors.encode(Dictionary(uniqueKeysWithValues: zip(names, inputs)))
        let variables = zip(graph.inputs, inputs).map { id, x in Variable(x, requiresGrad: ids[id] == nil) }
        let outputs: [Variable<Float>]
        do { outputs = try e.run(variables) } catch ExecError.unsupported { return false }
        let onnx = OnnxExporter(
            entry: graph, sizes: [:], weights: weights.mapValues { ($0.shape, $0.storage) },
            training: mode == "train", idInputs: Set(ids.keys))
        files["model-\(mode).onnx"] = try onnx.model()
        var expected: [String: Tensor<Float>] = [:]
        var loss: Variable<Float>?
        for (i, o) in outputs.enumerated() {
            let r = try Tensor<Float>.uniform(shape: o.shape, seed: 100 + UInt64(i))
            expected["output.\(i)"] = o.value
            expected["weight.\(i)"] = r
            let term = try (try o * Variable(r)).sumAll()
            loss = try loss.map { try $0 + term } ?? term
        }
        try loss?.backward()
        for (id, (name, v)) in zip(graph.inputs, zip(names, variables)) where ids[id] == nil {
            expected["grad.input.\(name)"] = try v.grad ?? Tensor(shape: v.shape)
        }
        for (name, p) in e.parameters where p.requiresGrad {
            expected["grad.param.\(name)"] = try p.grad ?? Tensor(shape: p.shape)
        }
        if mode == "train" {
            for (name, p) in e.parameters where !p.requiresGrad { expected["after.\(name)"] = p.value }
        }
        files["expected-\(mode).safetensors"] = try SafeTensors.encode(expected)
    }
    let exporter = TorchExporter(
        entry: graph, sizes: [:], source: .init(fileName: source.name) { source.lineColumn(of: $0.start).line })
    let module = try exporter.module()
    files["model.py"] = Array(module.text.utf8)
    let spec: [String: Any] = [
        "class": module.className, "outputs": graph.outputs.count, "modes": modes,
        "inputs": zip(graph.inputs, names).map { id, name in ["name": name, "ids": ids[id] != nil] },
    ]
    files["case.json"] = [UInt8](try JSONSerialization.data(withJSONObject: spec))
    let folder = root.appendingPathComponent(c.name)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (name, bytes) in files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
    return true
}

/// Whether a diagram drops anything in training (then only evaluation mode can be compared:
/// the two runtimes draw different masks).
func hasDropout(_ g: DiagramGraph) -> Bool {
    g.operations.contains { op in
        if case .dropout(let p) = op.kind, p > 0 { return true }
        if case .call(let child) = op.kind { return hasDropout(child) }
        return false
    }
}

/// One line `check_torch.py` or `check_onnx.py` printed.
public struct InteropResult: Decodable {
    public var `case`: String
    public var mode: String
    public var ok: Bool
    public var worst: Double
    public var failures: [String]
}

/// Runs `check_TARGET.py` over the cases under `root`; its exit status, output and results.
public func check(_ target: String, python: String, root: URL) -> (
    status: Int32, output: String, results: [InteropResult]
) {
    let script = repository.appendingPathComponent("Tests/NCDExportTests/interop/check_\(target).py").path
    let (status, output) = runProgram(python, [script, root.path])
    let results = output.split(separator: "\n").compactMap {
        try? JSONDecoder().decode(InteropResult.self, from: Data($0.utf8))
    }
    return (status, output, results)
}
