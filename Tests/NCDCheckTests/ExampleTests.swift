import Foundation
import NCDCheck
import NCDCore
import NCDSyntax
import XCTest

/// Every example in `examples/` checks with no error and no warning, and its main diagram
/// has the types the paper gives.
final class ExampleTests: XCTestCase {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    func check(_ name: String, sizes: [String: Int] = [:]) throws -> CheckResult {
        let url = Self.examples.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        return Checker.check(SourceFile(name: name, bytes: [UInt8](data)), options: CheckOptions(sizes: sizes))
    }

    func testEveryExampleChecksClean() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter {
            $0.hasSuffix(".ncd")
        }
        XCTAssertGreaterThanOrEqual(files.count, 11)
        let bench = try FileManager.default.contentsOfDirectory(
            atPath: Self.examples.appendingPathComponent("bench").path
        )
        .filter { $0.hasSuffix(".ncd") }.map { "bench/" + $0 }
        XCTAssertEqual(bench.count, 5)
        for file in (files + bench).sorted() {
            let result = try check(file)
            XCTAssertEqual(result.diagnostics.map(\.message), [], file)
            XCTAssertFalse(result.diagrams.isEmpty, file)
        }
    }

    func outputType(_ result: CheckResult, _ diagram: String) throws -> String {
        let g = try XCTUnwrap(result.diagram(named: diagram)?.graph, diagram)
        return g.outputs.map { g.type(of: $0).description }.joined(separator: ", ")
    }

    func testPaperShapes() throws {
        XCTAssertEqual(try outputType(check("mlp.ncd", sizes: ["b": 32]), "ImageRecogniser"), "[b:32, classes:10]")
        XCTAssertEqual(try outputType(check("multihead.ncd"), "MultiHead"), "[ȳ:20, m:128]")
        XCTAssertEqual(try outputType(check("resnet.ncd"), "IdResNet"), "[b, classes:10]")
        XCTAssertEqual(try outputType(check("unet.ncd"), "UNet"), "[b, ch:2, h:512, w:512]")
        XCTAssertEqual(try outputType(check("visual_attention.ncd"), "VisualAttention"), "[c:33, yh:16, yw:16]")
        XCTAssertEqual(try outputType(check("composition.ncd"), "h"), "[u:1, v:2]")
    }

    func testReducedSizesForTests() throws {
        // The examples run in tests at reduced sizes, bound from the command line.
        let unet = try check("unet.ncd", sizes: ["h": 32, "w": 32, "base": 2, "b": 1])
        XCTAssertEqual(unet.diagnostics.map(\.message), [])
        XCTAssertEqual(try outputType(unet, "UNet"), "[b:1, ch:2, h:32, w:32]")
        // A size the U-Net cannot halve four times is caught before anything runs.
        let odd = try check("unet.ncd", sizes: ["h": 24])
        XCTAssertTrue(odd.hasErrors)
    }

    /// GPT-2's parameters, as Hugging Face's GPT2LMHeadModel counts them (the tied head adds
    /// none): embeddings V·d + C·d, per block 2 norms (4d), attention 4d² + 4d, MLP
    /// 8d² + 5d, and the final norm 2d.
    func gpt2Parameters(vocab: Int, context: Int, d: Int, layers: Int) -> Int {
        vocab * d + context * d + layers * (4 * d + 4 * d * d + 4 * d + 8 * d * d + 5 * d) + 2 * d
    }

    func testGPT2ParameterNamesAndCount() throws {
        let full = try XCTUnwrap(try check("gpt2.ncd").diagram(named: "GPT2")?.graph)
        XCTAssertEqual(try full.totalCost().parameters, SizeExpr(124_439_808), "GPT-2 small, 124M")
        XCTAssertEqual(gpt2Parameters(vocab: 50257, context: 1024, d: 768, layers: 12), 124_439_808)
        let sizes = ["t": 4, "vocab": 11, "n_ctx": 6, "d": 8, "heads": 2, "layers": 3]
        let small = try XCTUnwrap(try check("gpt2.ncd", sizes: sizes).diagram(named: "GPT2")?.graph)
        XCTAssertEqual(
            try small.totalCost().parameters, SizeExpr(gpt2Parameters(vocab: 11, context: 6, d: 8, layers: 3)))
        // Names as nn.ModuleList and nn.Embedding give them; the head reuses wte's table.
        let names = small.allParameters.map(\.name)
        for name in [
            "wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.2.attn.q.weight", "h.1.mlp.c_fc.bias",
            "h.2.mlp.c_proj.weight", "ln_f.bias",
        ] {
            XCTAssertTrue(names.contains(name), "\(name) in \(names)")
        }
        XCTAssertFalse(names.contains { $0.contains("block1") || $0.hasPrefix("linear") }, "\(names)")
    }

    /// Each new example's parameters, at full size and reduced, as the PyTorch module counts
    /// them (`sum(p.numel() for p in model.parameters())`), from the layers' formulas.
    func testModernExamplesHavePyTorchsParameterCounts() throws {
        func count(_ file: String, _ diagram: String, _ sizes: [String: Int] = [:]) throws -> SizeExpr {
            try XCTUnwrap(try check(file, sizes: sizes).diagram(named: diagram)?.graph).totalCost().parameters
        }
        // nn.LSTM(i, h): 4h(i + h) + 8h; nn.GRU(i, h): 3h(i + h) + 6h.
        XCTAssertEqual(try count("lstm.ncd", "LSTM"), SizeExpr(4 * 64 * (32 + 64) + 8 * 64))
        XCTAssertEqual(try count("gru.ncd", "GRU"), SizeExpr(3 * 64 * (32 + 64) + 6 * 64))
        XCTAssertEqual(try count("lstm.ncd", "LSTM", ["i": 3, "hd": 5]), SizeExpr(4 * 5 * (3 + 5) + 8 * 5))
        // torchvision's vit_b_16 and timm's mixer_b16_224.
        XCTAssertEqual(try count("vit.ncd", "ViT"), SizeExpr(86_567_656))
        XCTAssertEqual(try count("mixer.ncd", "Mixer"), SizeExpr(59_880_472))
        func vit(c: Int, patch: Int, p: Int, d: Int, mlp: Int, layers: Int, classes: Int) -> Int {
            let block = 4 * d + (4 * d * d + 4 * d) + (2 * d * mlp + mlp + d)
            return c * patch * patch * d + d + d + (p + 1) * d + layers * block + 2 * d + d * classes + classes
        }
        XCTAssertEqual(vit(c: 3, patch: 16, p: 196, d: 768, mlp: 3072, layers: 12, classes: 1000), 86_567_656)
        let small = ["h": 8, "w": 8, "patch": 4, "d": 8, "heads": 2, "d_mlp": 6, "classes": 3, "depth": 2]
        XCTAssertEqual(
            try count("vit.ncd", "ViT", small), SizeExpr(vit(c: 3, patch: 4, p: 4, d: 8, mlp: 6, layers: 2, classes: 3))
        )
        let names = Set(try XCTUnwrap(try check("vit.ncd").diagram(named: "ViT")?.graph).allParameters.map(\.name))
        for name in [
            "conv_proj.weight", "class_token", "pos_embedding", "layers.0.ln_1.weight",
            "layers.11.self_attention.q.weight", "layers.3.mlp.fc2.bias", "head.weight",
        ] {
            XCTAssertTrue(names.contains(name), name)
        }
    }

    func testTransformerParameterNamesAndCount() throws {
        let result = try check("transformer.ncd")
        let g = try XCTUnwrap(result.diagram(named: "EncoderLayer")?.graph)
        let names = g.allParameters.map(\.name)
        XCTAssertTrue(names.contains("attn.q.weight"), "\(names)")
        XCTAssertTrue(names.contains("ffn.linear2.bias"), "\(names)")
        XCTAssertTrue(names.contains("ln1.weight"), "\(names)")
        // 4·(256·256+256) attention + (256·1024+1024) + (1024·256+256) FFN + 2·512 norms,
        // as torch.nn counts the same block.
        XCTAssertEqual(
            try g.totalCost().parameters,
            SizeExpr(4 * (256 * 256 + 256) + 256 * 1024 + 1024 + 1024 * 256 + 256 + 2 * 512))
    }

    func testResNetHasDistinctUnits() throws {
        let g = try XCTUnwrap(try check("resnet.ncd").diagram(named: "IdResNet")?.graph)
        let names = Set(g.allParameters.map(\.name))
        // Numbered from 0 as `nn.ModuleList` numbers them, whatever λ's first value; each
        // iteration is one `Unit`, so it is the unit itself (no `unit1` segment).
        XCTAssertTrue(names.contains("block1.units.0.conv1.weight"), "\(names.sorted().prefix(20))")
        XCTAssertTrue(names.contains("block1.units.1.conv1.weight"))
        XCTAssertFalse(names.contains("block1.units.2.conv1.weight"), "N−1 = 2 units per block")
        XCTAssertTrue(names.contains("block1.units.0.batchnorm1.running_var"), "running statistics are saved")
    }
}
