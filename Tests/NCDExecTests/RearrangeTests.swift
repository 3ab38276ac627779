import NCDTensor
import XCTest

@testable import NCDExec

/// `rearrange` as einops reads it, which is also how the renderer draws it (crossing wires
/// for a transpose): an axis written on both sides stays itself; the others are read
/// row-major in the written order. Values and input gradients against index arithmetic.
final class RearrangeTests: XCTestCase {
    let source = """
        axis a = 2, b = 3, c = 4, d = 6, p = 2, q = 3, m = a * c, n = a * b

        diagram Transpose(x: [a, b]) -> [b, a] {
          return rearrange[a b -> b a](x)
        }

        diagram SplitInTheMiddle(x: [a, d, c]) -> [a, p, q, c] {
          return rearrange[d -> p q](x)
        }

        diagram MergeApart(x: [a, b, c]) -> [m, b] {
          return rearrange[a c -> m](x)
        }

        diagram KeepAndMerge(x: [a, b, c]) -> [c, n] {
          return rearrange[a b c -> c n](x)
        }
        """

    /// Runs `name` forward and backward; `source(i)` is the input element output element i reads.
    func check(_ name: String, _ source: (Int) -> Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let t = try trace(try executor(source: self.source, diagram: name))
        let (x, y, r) = (t.inputs[0].storage, t.outputs[0].storage, t.weights[0].storage)
        XCTAssertEqual(y.count, x.count, name, file: file, line: line)
        var gradient = [Float](repeating: 0, count: x.count)
        for i in y.indices {
            XCTAssertEqual(y[i], x[source(i)], "\(name) output \(i)", file: file, line: line)
            gradient[source(i)] += r[i]
        }
        XCTAssertEqual(t.inputGradients[0].storage, gradient, "\(name) input gradient", file: file, line: line)
    }

    func testATransposeKeepsEachAxis() throws {
        // y[j, i] = x[i, j]
        try check("Transpose") { o in (o % 2) * 3 + o / 2 }
    }

    func testASplitInPlaceKeepsTheElementOrder() throws {
        try check("SplitInTheMiddle") { $0 }
    }

    func testAxesMergedFromApartAreReadInTheWrittenOrder() throws {
        // y[i·4 + k, j] = x[i, j, k]
        try check("MergeApart") { o in
            let (ik, j) = (o / 3, o % 3)
            return (ik / 4) * 12 + j * 4 + ik % 4
        }
    }

    func testAKeptAxisMovesAndTheRestMerge() throws {
        // y[k, i·3 + j] = x[i, j, k]
        try check("KeepAndMerge") { o in
            let (k, ij) = (o / 6, o % 6)
            return ij * 4 + k
        }
    }
}
