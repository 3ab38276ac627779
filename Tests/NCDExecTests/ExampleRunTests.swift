import NCDCheck
import NCDExec
import NCDSyntax
import NCDTensor
import XCTest

/// Every example runs forward and backward at reduced sizes, or says plainly what the
/// runtime cannot run yet.
final class ExampleRunTests: XCTestCase {
    func testExamplesRunForwardAndBackward() throws {
        for (file, diagram, sizes) in try ExampleSizes.load().map({ ($0.file, $0.diagram, $0.sizes) }) {
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
                diagram L(logits: [b, c], labels: int[b]) -> [] {
                  return cross_entropy[c](logits, labels)
                }
                """, diagram: "L")
        let logits = Variable(try Tensor<Float>(shape: [2, 3]))
        for bad: Float in [.nan, .infinity, 1e30, -1, 0.5] {
            XCTAssertThrowsError(try e.run([logits, Variable(try Tensor(shape: [2], [0, bad]))]), "\(bad)")
        }
        XCTAssertThrowsError(try e.run([logits, Variable(try Tensor(shape: [2], [0, 3]))]), "index 3 of 3 classes")
        XCTAssertNoThrow(try e.run([logits, Variable(try Tensor(shape: [2], [0, 2]))]))
    }
}
