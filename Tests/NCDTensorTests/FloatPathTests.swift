import NCDTensor
import XCTest

/// Kernels with a float32-only vector path, against plain loops in float32 (the gradient
/// checks run in float64, which takes the scalar path).
final class FloatPathTests: XCTestCase {
    func testReluBackwardPassesGradientWherePositive() throws {
        // 37 elements: four 8-wide vectors and a scalar tail; zeros, negatives, positives.
        let xs: [Float] = (0..<37).map { i in i % 5 == 0 ? 0 : Float(i % 7) - 3.5 }
        let gs: [Float] = (0..<37).map { Float($0) * 0.25 + 1 }
        let x = Variable(try Tensor<Float>(shape: [37], xs), requiresGrad: true)
        let y = try x.relu()
        XCTAssertEqual(y.value.storage, xs.map { Swift.max($0, 0) })
        try (try y * Variable(try Tensor<Float>(shape: [37], gs))).sumAll().backward()
        XCTAssertEqual(x.grad?.storage, zip(xs, gs).map { $0 > 0 ? $1 : 0 })
    }

    func testTwoByTwoMaxPoolPicksTheFirstLargestAndRoutesItsGradient() throws {
        // Ties everywhere: the first in row-major order wins, as the general loop does.
        var values: [Float] = []
        for i in 0..<(2 * 4 * 6) { values.append(Float((i * 7) % 5)) }
        let x = Variable(try Tensor<Float>(shape: [2, 4, 6], values), requiresGrad: true)
        let pooled = try x.maxPool2d(WindowSpec(kernel: 2, stride: 2))
        var expected: [Float] = []
        var winners: [Int] = []
        for c in 0..<2 {
            for i in 0..<2 {
                for j in 0..<3 {
                    let at = [(2 * i, 2 * j), (2 * i, 2 * j + 1), (2 * i + 1, 2 * j), (2 * i + 1, 2 * j + 1)].map {
                        (c * 4 + $0.0) * 6 + $0.1
                    }
                    let best = at.map { values[$0] }.max()!
                    expected.append(best)
                    winners.append(at.first { values[$0] == best }!)
                }
            }
        }
        XCTAssertEqual(pooled.value.storage, expected)
        try pooled.sumAll().backward()
        var grad = [Float](repeating: 0, count: values.count)
        for w in winners { grad[w] += 1 }
        XCTAssertEqual(x.grad?.storage, grad)
    }
}
