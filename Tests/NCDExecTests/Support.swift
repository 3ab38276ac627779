import Foundation
import NCDCheck
import NCDExec
import NCDSyntax
import NCDTensor
import XCTest

let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

/// Checks source (a string, or an example's file name) and prepares its diagram to run.
func executor(
    source: String? = nil, example: String? = nil, diagram: String, sizes: [String: Int] = [:],
    file: StaticString = #filePath, line: UInt = #line
) throws -> Executor {
    let text = try source ?? String(contentsOf: examples.appendingPathComponent(example!), encoding: .utf8)
    let result = Checker.check(SourceFile(name: example ?? "test.ncd", text: text), options: CheckOptions(sizes: sizes))
    XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))", file: file, line: line)
    let graph = try XCTUnwrap(result.diagram(named: diagram)?.graph, "no graph for \(diagram)", file: file, line: line)
    return try Executor(graph: graph, sizes: [:], seed: 3)
}

/// Runs forward and backward on seeded inputs. The scalar differentiated is Σ outputs ⊙ R
/// with fixed random R, so every output element matters with its own weight.
struct Trace {
    var inputs: [Tensor<Float>]
    var outputs: [Tensor<Float>]
    var inputGradients: [Tensor<Float>]
    var parameterGradients: [String: Tensor<Float>]
    var parameters: [String: Tensor<Float>]
    var weights: [Tensor<Float>]
}

func trace(_ e: Executor) throws -> Trace {
    let inputs = try e.randomInputs()
    let variables = inputs.map { Variable($0, requiresGrad: true) }
    let outputs = try e.run(variables)
    let weights = try outputs.enumerated().map {
        try Tensor<Float>.uniform(shape: $0.element.shape, seed: 100 + UInt64($0.offset))
    }
    var loss: Variable<Float>?
    for (o, w) in zip(outputs, weights) {
        let term = try (try o * Variable(w)).sumAll()
        loss = try loss.map { try $0 + term } ?? term
    }
    try loss?.backward()
    return Trace(
        inputs: inputs, outputs: outputs.map(\.value),
        inputGradients: try variables.map { try $0.grad ?? Tensor(shape: $0.shape) },
        parameterGradients: e.parameters.compactMapValues(\.grad),
        parameters: e.parameters.mapValues(\.value), weights: weights)
}

/// The same loss in float64 for a reference computation.
func referenceLoss(_ outputs: [Variable<Double>], _ weights: [Tensor<Float>]) throws -> Variable<Double> {
    var loss: Variable<Double>?
    for (o, w) in zip(outputs, weights) {
        let term = try (try o * Variable(w.converted(to: Double.self))).sumAll()
        loss = try loss.map { try $0 + term } ?? term
    }
    return loss!
}

/// |a − b| ≤ tolerance · max|b| + 1e-6 for every element: relative to the tensor's scale
/// (float32 against float64 cannot promise more near zero), with a small absolute floor for
/// gradients that are exactly zero in exact arithmetic (attention's key bias, to which
/// softmax is invariant, has float32 noise of about 1e-7).
func assertAgree(
    _ a: Tensor<Float>, _ b: Tensor<Double>, _ what: String, tolerance: Double = 1e-4,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
    let scale = b.storage.map(abs).max() ?? 0
    let worst = zip(a.storage, b.storage).map { abs(Double($0) - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(
        worst, tolerance * scale + 1e-6, "\(what): largest difference \(worst) at scale \(scale)",
        file: file, line: line)
}

/// A parameter of the executor as a float64 leaf of the reference.
func leaf(_ t: Trace, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Variable<Double> {
    let value = try XCTUnwrap(
        t.parameters[name], "no parameter \(name); have \(t.parameters.keys.sorted())", file: file, line: line)
    return Variable(try value.converted(to: Double.self), requiresGrad: true)
}
