import NCDTensor
import XCTest

@testable import NCDExec

/// A scale after an einsum is folded into the gemm only where nothing else reads the
/// unscaled value; either way the numbers are those of the diagram as written.
final class FusionTests: XCTestCase {
    let source = """
        axis i = 3, j = 4, k = 5

        diagram Fused(a: [i, j], b: [j, k]) -> [i, k] {
          return einsum[i j, j k -> i k](a, b) * k^-0.5
        }

        diagram Twice(a: [i, j], b: [j, k]) -> [i, k] {
          s = einsum[i j, j k -> i k](a, b)
          return s * k^-0.5 + s
        }
        """

    /// Output and input gradients of `name` against `factor`·(a·b), from a float64 reference.
    func check(_ name: String, factor: Double, folds: Int) throws {
        let e = try executor(source: source, diagram: name)
        let plan = e.fusions(of: e.graph)
        XCTAssertEqual(plan.folded.count, folds, name)
        XCTAssertEqual(plan.einsumScale.values.map { Double($0) }, folds == 1 ? [Double(Float(factor))] : [], name)
        let t = try trace(e)
        let a = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        let b = Variable(try t.inputs[1].converted(to: Double.self), requiresGrad: true)
        let y = try einsum([(a, ["i", "j"]), (b, ["j", "k"])], output: ["i", "k"]).scaled(by: factor)
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, name)
        assertAgree(t.inputGradients[0], try XCTUnwrap(a.grad), "\(name) da")
        assertAgree(t.inputGradients[1], try XCTUnwrap(b.grad), "\(name) db")
    }

    func testAScaleAfterAnEinsumRidesOnTheGemm() throws {
        try check("Fused", factor: 1 / 5.0.squareRoot(), folds: 1)
    }

    func testAnUnscaledValueUsedAgainKeepsTheScaleApart() throws {
        try check("Twice", factor: 1 + 1 / 5.0.squareRoot(), folds: 0)
    }
}
