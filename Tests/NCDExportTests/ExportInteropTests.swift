import Foundation
import NCDCheck
import NCDExec
import NCDInterop
import NCDSyntax
import XCTest

/// Every example and every language case that runs, exported to PyTorch and to ONNX and run
/// in PyTorch and ONNX Runtime on the inputs and weights ncd ran with: outputs (and, in
/// PyTorch, gradients and updated buffers) agree with ncd's to 1e-5 of each tensor's
/// largest magnitude, in evaluation and training mode.
final class ExportInteropTests: XCTestCase {
    func testExportsComputeWhatNcdComputes() throws {
        let (python, reason) = interopPython()
        guard let python else {
            print("ExportInteropTests skipped: \(reason)")
            throw XCTSkip(reason)
        }
        // NCD_INTEROP_DIR keeps the cases' folders, to rerun check_torch.py by hand.
        let kept = ProcessInfo.processInfo.environment["NCD_INTEROP_DIR"]
        let root =
            kept.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("ncd-interop-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        defer { if kept == nil { try? FileManager.default.removeItem(at: root) } }
        var prepared: [String] = []
        for c in try Self.cases() {
            do {
                if try prepare(c, in: root) { prepared.append(c.name) }
            } catch {
                XCTFail("\(c.name): \(error)")
            }
        }
        // One export serves every batch: the files for b = 3 and b = 5 are the same bytes.
        for file in ["model.py", "model-eval.onnx"] {
            let read = { (c: String) in try Data(contentsOf: root.appendingPathComponent("\(c)/\(file)")) }
            XCTAssertEqual(try read("mlp-free-batch"), try read("mlp-free-batch-5"), file)
        }
        for target in ["torch", "onnx"] {
            let (status, output, results) = check(target, python: python, root: root)
            XCTAssertEqual(status, 0, output)
            for r in results where !r.ok {
                XCTFail("\(target): \(r.case) (\(r.mode)): \(r.failures.joined(separator: "; "))")
            }
            let compared = Set(results.map(\.case))
            for name in prepared where !compared.contains(name) { XCTFail("\(target): \(name) was not compared") }
            let worst = results.map(\.worst).max() ?? 0
            print(
                "ExportInteropTests, \(target): \(results.count) runs of \(compared.count) diagrams compared; the largest difference is \(worst) of its tolerance"
            )
            XCTAssertGreaterThan(compared.count, 40)
        }
    }

    /// The examples at the sizes ExampleRunTests runs them, one with its batch left free
    /// (bound only to run), and every diagram of the language cases that runs as written.
    static func cases() throws -> [InteropCase] {
        let examples = repository.appendingPathComponent("examples")
        var cases = try ExampleSizes.load().map { e in
            try InteropCase(
                name: "\(e.file.replacingOccurrences(of: ".ncd", with: ""))-\(e.diagram)",
                file: examples.appendingPathComponent(e.file), diagram: e.diagram, checkSizes: e.sizes)
        }
        cases.append(
            try InteropCase(
                name: "mlp-free-batch", file: examples.appendingPathComponent("mlp.ncd"), diagram: "ImageRecogniser",
                checkSizes: ["x̄": 4, "ȳ": 4, "hidden": 8], runSizes: ["b": 3]))
        cases.append(
            try InteropCase(
                name: "mlp-free-batch-5", file: examples.appendingPathComponent("mlp.ncd"), diagram: "ImageRecogniser",
                checkSizes: ["x̄": 4, "ȳ": 4, "hidden": 8], runSizes: ["b": 5]))
        let valid = repository.appendingPathComponent("Tests/NCDCheckTests/cases/valid")
        for file in try FileManager.default.contentsOfDirectory(atPath: valid.path).sorted()
        where file.hasSuffix(".ncd") {
            let url = valid.appendingPathComponent(file)
            let result = Checker.check(SourceFile(name: file, text: try String(contentsOf: url, encoding: .utf8)))
            for d in result.diagrams {
                guard let g = d.graph, !g.outputs.isEmpty, (try? Executor(graph: g, sizes: [:])) != nil else {
                    continue
                }
                cases.append(
                    try InteropCase(
                        name: "case-\(file.replacingOccurrences(of: ".ncd", with: ""))-\(d.name)", file: url,
                        diagram: d.name))
            }
        }
        return cases
    }
}
