import NCDTensor
import XCTest

/// The diagonal of the last two axes against plain loops, and its gradient against finite
/// differences.
final class DiagonalTests: XCTestCase {
    func testDiagonalAgainstLoops() throws {
        let x = try random([2, 3, 4, 4], seed: 7)
        let y = try Variable(x).diagonal().value
        XCTAssertEqual(y.shape, [2, 3, 4])
        for a in 0..<2 {
            for b in 0..<3 { for i in 0..<4 { XCTAssertEqual(y[[a, b, i]], x[[a, b, i, i]]) } }
        }
        // Empty axes give an empty diagonal, not a division by zero.
        XCTAssertEqual(try Variable(Tensor<Double>(shape: [2, 0, 0])).diagonal().shape, [2, 0])
        XCTAssertThrowsError(try Variable(Tensor<Double>(shape: [2, 3])).diagonal())
        XCTAssertThrowsError(try Variable(Tensor<Double>(shape: [3])).diagonal())
    }

    func testDiagonalGradient() throws {
        try checkGradients([random([2, 3, 3], seed: 8)]) { try $0[0].diagonal() }
        // A trace: the gradient is the identity.
        let x = Variable(try random([3, 3], seed: 9), requiresGrad: true)
        try x.diagonal().sumAll().backward()
        XCTAssertEqual(x.grad?.storage, [1, 0, 0, 0, 1, 0, 0, 0, 1])
    }
}
