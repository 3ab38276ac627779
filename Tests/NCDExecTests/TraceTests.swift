import NCDExec
import NCDTensor
import XCTest

/// Einsum labels written twice (traces and diagonals) against float64 loops, gradients
/// included: the reference is written as sums over indices, without a diagonal operation.
final class TraceTests: XCTestCase {
    func testATracePerBatchWeightedByAVector() throws {
        // y[b, k] = Σ_i a[b, i, i] · v[i, k]
        let e = try executor(
            source: """
                axis b = 2, i = 3, j = 3, k = 4
                diagram T(a: [b, i, j], v: [i, k]) -> [b, k] {
                  return einsum[b i i, i k -> b k](a, v)
                }
                """, diagram: "T")
        let t = try trace(e)
        let (a, v, r) = (t.inputs[0], t.inputs[1], t.weights[0])
        var y = try Tensor<Double>(shape: [2, 4])
        var da = try Tensor<Double>(shape: [2, 3, 3])
        var dv = try Tensor<Double>(shape: [3, 4])
        for b in 0..<2 {
            for k in 0..<4 {
                for i in 0..<3 {
                    y[[b, k]] += Double(a[[b, i, i]]) * Double(v[[i, k]])
                    // ∂/∂a[b,i,i] and ∂/∂v[i,k] of Σ y ⊙ r.
                    da[[b, i, i]] += Double(r[[b, k]]) * Double(v[[i, k]])
                    dv[[i, k]] += Double(r[[b, k]]) * Double(a[[b, i, i]])
                }
            }
        }
        assertAgree(t.outputs[0], y, "output")
        assertAgree(t.inputGradients[0], da, "∇a: nonzero on the diagonal only")
        assertAgree(t.inputGradients[1], dv, "∇v")
    }

    func testATraceOfAMatrixMadeInsideTheDiagram() throws {
        // tr(x xᵀ) = Σ x², its gradient 2x: a diagonal of a computed value.
        let e = try executor(
            source: """
                axis i = 4, i2 = 4, d = 3
                diagram Gram(x: [i, d], y: [i2, d]) -> [] {
                  return einsum[i i -> ](einsum[i d, i2 d -> i i2](x, y))
                }
                """, diagram: "Gram")
        let t = try trace(e)
        let (x, y, r) = (t.inputs[0], t.inputs[1], Double(t.weights[0].storage[0]))
        let value = zip(x.storage, y.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        assertAgree(t.outputs[0], try Tensor(shape: [], [value]), "trace")
        assertAgree(t.inputGradients[0], try Tensor(shape: [4, 3], y.storage.map { r * Double($0) }), "∇x")
        assertAgree(t.inputGradients[1], try Tensor(shape: [4, 3], x.storage.map { r * Double($0) }), "∇y")
    }
}
