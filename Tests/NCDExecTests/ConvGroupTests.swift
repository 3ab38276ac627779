import NCDExec
import NCDTensor
import XCTest

/// `conv` between channel groups against a float64 loop written from the definition:
/// y[b, k, e, i, j] = Σ_{c, g, u, v} x[b, c, g, i + u, j + v] · W[k, e, c, g, u, v] + β[k, e].
final class ConvGroupTests: XCTestCase {
    func testGroupsOnBothSidesAgainstLoops() throws {
        let e = try executor(
            source: """
                axis b = 2, c = 2, g = 2, k = 3, e = 2, h = 4, w = 5
                diagram C(x: [b, c, g, h, w]) -> [b, k, e, h: h - 2, w: w - 2] {
                  return conv[c g -> k e, h w, kernel=3](x) as proj
                }
                """, diagram: "C")
        let t = try trace(e)
        let (x, r) = (t.inputs[0], t.weights[0])
        let (weight, bias) = (t.parameters["proj.weight"]!, t.parameters["proj.bias"]!)
        XCTAssertEqual(weight.shape, [3, 2, 2, 2, 3, 3])
        var y = try Tensor<Double>(shape: [2, 3, 2, 2, 3])
        var dW = try Tensor<Double>(shape: [3, 2, 2, 2, 3, 3])
        var dx = try Tensor<Double>(shape: [2, 2, 2, 4, 5])
        for b in 0..<2 {
            for k in 0..<3 {
                for o in 0..<2 {
                    for i in 0..<2 {
                        for j in 0..<3 {
                            var sum = Double(bias[[k, o]])
                            for c in 0..<2 {
                                for g in 0..<2 {
                                    for u in 0..<3 {
                                        for v in 0..<3 {
                                            let (xv, wv) = (
                                                Double(x[[b, c, g, i + u, j + v]]), Double(weight[[k, o, c, g, u, v]])
                                            )
                                            sum += xv * wv
                                            dW[[k, o, c, g, u, v]] += Double(r[[b, k, o, i, j]]) * xv
                                            dx[[b, c, g, i + u, j + v]] += Double(r[[b, k, o, i, j]]) * wv
                                        }
                                    }
                                }
                            }
                            y[[b, k, o, i, j]] = sum
                        }
                    }
                }
            }
        }
        assertAgree(t.outputs[0], y, "output")
        assertAgree(t.parameterGradients["proj.weight"]!, dW, "∇W")
        assertAgree(t.inputGradients[0], dx, "∇x")
    }
}
