import NCDExec
import NCDTensor
import XCTest

/// `over … at` places the lifted axes in the result; the values are the callee's on each
/// slice wherever they go. The reference is a float64 einsum written without `over`.
final class OverPositionTests: XCTestCase {
    func testLiftedAxesInTheMiddleAndAtTheEnd() throws {
        for (position, output) in [("1", ["t", "h", "k"]), ("-1", ["t", "k", "h"]), ("0", ["h", "t", "k"])] {
            let e = try executor(
                source: """
                    axis t = 4, h = 2, k = 3, d = 5
                    diagram Head(x: [t, d]) -> [t, k] {
                      return linear[d -> k](x) as proj
                    }
                    diagram Heads(x: [t, h, d]) -> [\(output.joined(separator: ", "))] {
                      return Head(x) over h at \(position) as head
                    }
                    """, diagram: "Heads")
            let t = try trace(e)
            let x = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
            let (w, b) = (try leaf(t, "head.proj.weight"), try leaf(t, "head.proj.bias"))
            let natural = try einsum([(x, ["t", "h", "d"]), (w, ["k", "d"])], output: ["t", "h", "k"]) + b
            let y = try natural.permuted(output.map { ["t", "h", "k"].firstIndex(of: $0)! })
            try referenceLoss([y], t.weights).backward()
            assertAgree(t.outputs[0], y.value, "output at \(position)")
            assertAgree(t.inputGradients[0], x.grad!, "∇x at \(position)")
            assertAgree(t.parameterGradients["head.proj.weight"]!, w.grad!, "∇W at \(position)")
        }
    }
}
