import Foundation
import XCTest

/// `ncd export` as a user runs it: what it writes, and each way it refuses, with its status.
final class ExportCommandTests: XCTestCase, RunsNCD {
    func output(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ncd-export-\(UUID().uuidString)-\(name)"
        ).path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testExportWritesOneModuleClassPerDiagram() throws {
        let path = output("gpt2.py")
        let run = try ncd(["export", "examples/gpt2.ncd", "--to", "torch", "-o", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "wrote \(path): `GPT2` as the PyTorch module GPT2\n")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for expected in [
            "class CausalAttention(nn.Module):", "class Attention(nn.Module):", "class MLP(nn.Module):",
            "class Block(nn.Module):", "class GPT2(nn.Module):",
            // The stack of blocks: a ModuleList, and the loop over it.
            "self.h = nn.ModuleList(Block() for _ in range(12))", "for layer in self.h:  # gpt2.ncd:41",
            // The tied head reads the embedding's table; it owns no weight of its own.
            "logits = F.linear(layernorm, self.wte.weight)",
            // Batch b is free: nothing fixes it, nothing reads it.
            "def forward(self, tokens, targets):",
        ] {
            XCTAssertTrue(text.contains(expected), "missing: \(expected)")
        }
        XCTAssertEqual(text.components(separatedBy: "class Block(").count, 2, "one class for twelve blocks")
    }

    func testAnOperationWithoutAnExportRuleIsRefusedNamingItsLine() throws {
        for target in ["torch", "onnx"] {
            let path = output("h.\(target)")
            let run = try ncd([
                "export", "Tests/NCDCheckTests/cases/valid/abstract_box.ncd", "--to", target, "-o", path,
            ])
            XCTAssertEqual(run.status, 65)
            XCTAssertEqual(
                run.stderr,
                "ncd: error: Tests/NCDCheckTests/cases/valid/abstract_box.ncd:5:15: cannot export `h` to \(target): `f` is declared without a body, so there is nothing to export\n"
            )
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing written")
        }
    }

    func testUsageErrorsExit64AndCheckErrors65() throws {
        let path = output("m.py")
        let badTarget = try ncd(["export", "examples/mlp.ncd", "--to", "tensorflow", "-o", path])
        XCTAssertEqual(badTarget.status, 64)
        XCTAssertTrue(badTarget.stderr.contains("'tensorflow'"), badTarget.stderr)
        let noFolder = try ncd(["export", "examples/mlp.ncd", "--to", "torch", "-o", "/nonexistent/m.py"])
        XCTAssertEqual(noFolder.status, 64)
        XCTAssertEqual(noFolder.stderr, "ncd: error: cannot write /nonexistent/m.py: no folder /nonexistent\n")
        let broken = try temporaryFile("axis n = 2\ndiagram D(x: [n]) -> [n] {\n  return relu(y)\n}\n")
        XCTAssertEqual(try ncd(["export", broken, "--to", "torch", "-o", path]).status, 65)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testWeightsThatDoNotFitTheModuleAreRefused() throws {
        let weights = output("w.safetensors")
        let source = try temporaryFile(
            "axis n = 3, m = 2\ndiagram D(x: [n]) -> [m] {\n  return linear[n -> m](x) as fc\n}\n")
        let other = try temporaryFile(
            "axis n = 4, m = 2\ndiagram D(x: [n]) -> [m] {\n  return linear[n -> m](x) as fc\n}\n")
        XCTAssertEqual(try ncd(["run", other, "--save-weights", weights]).status, 0)
        let run = try ncd(["export", source, "--to", "torch", "-o", output("d.py"), "--weights", weights])
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.stderr.contains("fc.weight is [2, 4], expected [2, 3]"), run.stderr)
        XCTAssertEqual(try ncd(["run", source, "--save-weights", weights]).status, 0)
        XCTAssertEqual(
            try ncd(["export", source, "--to", "torch", "-o", output("d.py"), "--weights", weights]).status, 0)
    }

    func testOnnxModelsHoldTheWeightsOrTakeThemAsInputs() throws {
        let source = try temporaryFile(
            "axis n = 3, m = 2\ndiagram D(x: [n]) -> [m] {\n  return linear[n -> m](x) as fc\n}\n")
        let (with, without) = (output("with.onnx"), output("without.onnx"))
        let a = try ncd(["export", source, "--to", "onnx", "-o", with])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, "wrote \(with): `D` as an ONNX model (opset 18, evaluation mode)\n")
        let b = try ncd(["export", source, "--to", "onnx", "--no-weights", "--train", "-o", without])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertTrue(b.stdout.contains("(opset 18, training mode, no weights)"), b.stdout)
        let (full, bare) = (
            try Data(contentsOf: URL(fileURLWithPath: with)), try Data(contentsOf: URL(fileURLWithPath: without))
        )
        // 8 floats of weights (6 + 2) more in the first: held as initializers.
        XCTAssertGreaterThanOrEqual(full.count, bare.count + 8 * 4 - 16)
        XCTAssertTrue(bare.range(of: Data("fc.weight".utf8)) != nil, "the weight is an input of its name")
        let refused = try ncd(["export", source, "--to", "torch", "--train", "-o", output("d.py")])
        XCTAssertEqual(refused.status, 64)
        XCTAssertEqual(
            refused.stderr, "ncd: error: --no-weights and --train are for --to onnx: a PyTorch module has both modes\n")
    }
}
