import NCDCheck
import NCDExec
import NCDSyntax
import NCDTensor
import XCTest

/// Every example runs forward and backward at reduced sizes, or says plainly what the
/// runtime cannot run yet.
final class ExampleRunTests: XCTestCase {
    let reduced: [(file: String, diagram: String, sizes: [String: Int])] = [
        ("broadcasting.ncd", "Outer", [:]),
        ("broadcasting.ncd", "Inner", [:]),
        ("broadcasting.ncd", "Elementwise", [:]),
        ("linear_algebra.ncd", "TransposeByRearrange", [:]),
        ("linear_algebra.ncd", "TransposeByEinsum", [:]),
        ("linear_algebra.ncd", "UnitThenInner", [:]),
        ("composition.ncd", "Index", [:]),
        ("mlp.ncd", "ImageRecogniser", ["b": 2, "x̄": 4, "ȳ": 4, "hidden": 8]),
        ("attention.ncd", "ScaledDotProduct", ["ȳ": 3, "x̄": 4, "k": 4]),
        ("multihead.ncd", "MultiHead", ["ȳ": 3, "x̄": 4, "m": 8, "k": 2, "h": 2]),
        ("residual_mlp.ncd", "ResidualMLP", ["x̄": 3, "m": 4, "d_ff": 8]),
        ("transformer.ncd", "EncoderLayer", ["b": 2, "seq": 3, "d_model": 8, "heads": 2, "d_k": 4, "d_ff": 8]),
        ("resnet.ncd", "IdResNet", ["b": 2, "h": 32, "w": 32, "n0": 4, "n1": 8, "n2": 8, "n3": 8, "N": 2]),
        ("visual_attention.ncd", "VisualAttention", ["yh": 3, "yw": 3, "xh": 2, "xw": 3, "c": 4, "k": 2, "heads": 2]),
        ("unet.ncd", "UNet", ["b": 1, "h": 16, "w": 16, "base": 1]),
        ("gpt2.ncd", "GPT2", ["b": 2, "t": 4, "vocab": 11, "n_ctx": 6, "d": 8, "heads": 2, "layers": 2]),
        (
            "vit.ncd", "ViT",
            ["b": 2, "h": 8, "w": 8, "patch": 4, "d": 8, "heads": 2, "d_mlp": 8, "classes": 3, "depth": 2]
        ),
        (
            "mixer.ncd", "Mixer",
            [
                "b": 2, "h": 8, "w": 8, "patch": 4, "d": 8, "d_token": 4, "d_channel": 8, "classes": 3,
                "depth": 2,
            ]
        ),
        ("lstm.ncd", "LSTM", ["b": 2, "t": 3, "i": 4, "hd": 5]),
        ("gru.ncd", "GRU", ["b": 2, "t": 3, "i": 4, "hd": 5]),
    ]

    func testExamplesRunForwardAndBackward() throws {
        for (file, diagram, sizes) in reduced {
            let e = try executor(example: file, diagram: diagram, sizes: sizes)
            e.training = true
            let t = try trace(e)
            for (i, o) in t.outputs.enumerated() {
                XCTAssertTrue(o.storage.allSatisfy(\.isFinite), "\(file) \(diagram) output \(i)")
                XCTAssertEqual(
                    o.shape,
                    try e.graph.outputs.map { try e.graph.type(of: $0).axes.map { try $0.size.evaluate([:]) } }[i])
            }
            // Every parameter received a gradient, of its own shape; buffers (batch norm's
            // running statistics) none.
            for name in e.parameterNames {
                let trainable = e.parameters[name]?.requiresGrad ?? false
                XCTAssertEqual(
                    t.parameterGradients[name]?.shape, trainable ? t.parameters[name]?.shape : nil,
                    "\(file) \(diagram) \(name)")
            }
        }
    }

    func testWhatTheRuntimeCannotRunYetIsSaid() throws {
        XCTAssertThrowsError(try executor(example: "composition.ncd", diagram: "h")) { error in
            XCTAssertEqual(
                "\(error)",
                "not supported by the runtime yet: `f`, `g` are declared without a body, so there is nothing to run")
        }
    }

    func testUnboundFreeSizesAndWrongInputShapesAreErrors() throws {
        let text = try String(contentsOf: examples.appendingPathComponent("mlp.ncd"), encoding: .utf8)
        let result = NCDCheck.Checker.check(NCDSyntax.SourceFile(name: "mlp.ncd", text: text))
        let graph = try XCTUnwrap(result.diagram(named: "ImageRecogniser")?.graph)
        XCTAssertThrowsError(try Executor(graph: graph, sizes: [:])) { error in
            XCTAssertEqual("\(error)", "free size `b` must be bound: use --size b=N")
        }
        let e = try Executor(graph: graph, sizes: ["b": 2])
        XCTAssertThrowsError(try e.run([Variable(Tensor(shape: [2, 28, 27]))])) { error in
            XCTAssertEqual("\(error)", "input `image` should be [b, x̄:28, ȳ:28] = [2, 28, 28], but has shape [2×28×27]")
        }
    }
}

final class BadTargetTests: XCTestCase {
    func testNonIntegerClassIndicesAreAnErrorNotATrap() throws {
        let e = try executor(
            source: """
                axis b = 2, c = 3
                diagram L(logits: [b, c], labels: [b]) -> [] {
                  return cross_entropy[c](logits, labels)
                }
                """, diagram: "L")
        let logits = Variable(Tensor<Float>(shape: [2, 3]))
        for bad: Float in [.nan, .infinity, 1e30, -1, 0.5] {
            XCTAssertThrowsError(try e.run([logits, Variable(try Tensor(shape: [2], [0, bad]))]), "\(bad)")
        }
        XCTAssertThrowsError(try e.run([logits, Variable(try Tensor(shape: [2], [0, 3]))]), "index 3 of 3 classes")
        XCTAssertNoThrow(try e.run([logits, Variable(try Tensor(shape: [2], [0, 2]))]))
    }
}
