import Foundation
import NCDTensor
import XCTest

/// Forward results against straightforward reference loops.
final class ForwardTests: XCTestCase {
    func testEinsumAgainstBruteForce() throws {
        let cases: [([[Int]], [[String]], [String])] = [
            ([[3, 4], [5, 4]], [["y", "k"], ["x", "k"]], ["y", "x"]),  // attention scores
            ([[3, 4, 2], [5, 4, 2]], [["y", "k", "h"], ["x", "k", "h"]], ["y", "x", "h"]),  // diagonal heads
            ([[3, 5], [5, 4]], [["i", "j"], ["j", "k"]], ["k", "i"]),  // matmul, transposed out
            ([[3], [4]], [["i"], ["j"]], ["i", "j"]),  // outer product
            ([[3, 4]], [["i", "j"]], ["j", "i"]),  // transpose
            ([[3, 4]], [["i", "j"]], []),  // total sum
            ([[2, 3, 1], [3, 4], [4, 5]], [["a", "b", "c"], ["b", "d"], ["d", "e"]], ["a", "c", "e"]),  // chain of 3
            ([[3, 4], [3, 4]], [["i", "j"], ["i", "j"]], ["i", "j"]),  // elementwise product
            ([[2, 3], [4]], [["i", "j"], ["k"]], ["k"]),  // axes only one side has
            ([[1, 7], [7, 1]], [["a", "b"], ["b", "c"]], ["a", "c"]),  // size-1 axes
            // Batched products read and written in place, through leading dimensions:
            // heads' scores
            ([[2, 5, 3, 4], [2, 6, 3, 4]], [["b", "s", "h", "d"], ["b", "t", "h", "d"]], ["b", "h", "s", "t"]),
            // heads' values
            ([[2, 3, 5, 6], [2, 6, 3, 4]], [["b", "h", "s", "t"], ["b", "t", "h", "d"]], ["b", "s", "h", "d"]),
            // written transposed
            ([[2, 5, 3, 4], [2, 6, 3, 4]], [["b", "s", "h", "d"], ["b", "t", "h", "d"]], ["b", "h", "t", "s"]),
            ([[2, 3, 4, 5], [4, 5, 6]], [["a", "b", "c", "d"], ["c", "d", "e"]], ["a", "b", "e"]),  // fused axes
            // size 1 in groups
            ([[2, 1, 3, 4], [4, 1, 5]], [["a", "u", "b", "c"], ["c", "v", "e"]], ["b", "u", "a", "v", "e"]),
            // … and those BLAS cannot address, copied first (operands) or after (result):
            ([[5, 4, 3], [6, 4, 3]], [["s", "d", "h"], ["t", "d", "h"]], ["h", "s", "t"]),
            ([[2, 3, 4], [4, 5]], [["a", "b", "c"], ["c", "e"]], ["b", "e", "a"]),
            ([[3, 0], [0, 4]], [["i", "j"], ["j", "k"]], ["i", "k"]),  // empty contraction: zeros
        ]
        for threads in [1, 2] {
            TensorThreads.set(threads)
            defer { TensorThreads.set(1) }
            for (n, (shapes, labels, output)) in cases.enumerated() {
                let operands = try zip(shapes, labels).enumerated().map { i, p in
                    (try Tensor<Double>.uniform(shape: p.0, seed: UInt64(10 * n + i)), p.1)
                }
                assertClose(
                    try Contraction.einsum(operands, output: output), try referenceEinsum(operands, output: output),
                    tolerance: 1e-12)
                // The same times a scale, which rides on the last gemm's α.
                assertClose(
                    try Contraction.einsum(operands, output: output, scale: -0.375),
                    try referenceEinsum(operands, output: output).scaled(by: -0.375), tolerance: 1e-12)
            }
        }
    }

    func testFloatContractionMatchesDouble() throws {
        // Odd sizes through sgemm against the same contraction in float64.
        let a = try Tensor<Double>.uniform(shape: [37, 61], seed: 1)
        let b = try Tensor<Double>.uniform(shape: [61, 29], seed: 2)
        let exact = try Contraction.einsum([(a, ["i", "j"]), (b, ["j", "k"])], output: ["i", "k"])
        let single = try Contraction.einsum(
            [(a.converted(to: Float.self), ["i", "j"]), (b.converted(to: Float.self), ["j", "k"])], output: ["i", "k"])
        assertClose(try single.converted(to: Double.self), exact, tolerance: 1e-5)
    }

    func testBroadcastingAgainstLoops() throws {
        let a = try Tensor<Double>.uniform(shape: [2, 3, 4], seed: 3)
        let b = try Tensor<Double>.uniform(shape: [3, 1], seed: 4)
        let sum = try Tensor.zip(a, b, +)
        XCTAssertEqual(sum.shape, [2, 3, 4])
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 {
                    XCTAssertEqual(sum[[i, j, k]], a[[i, j, k]] + b[[j, 0]])
                }
            }
        }
        XCTAssertThrowsError(try Tensor.zip(a, Tensor<Double>(shape: [5]), +)) { error in
            XCTAssertEqual("\(error)", "shapes [2, 3, 4] and [5] do not broadcast")
        }
    }

    func testReductionsAndPermuteAgainstLoops() throws {
        let x = try Tensor<Double>.uniform(shape: [2, 3, 4], seed: 5)
        let s = try x.sum(axes: [0, 2])
        let m = try x.max(axes: [1])
        let p = try x.permuted([2, 0, 1])
        for j in 0..<3 {
            var total = 0.0
            for i in 0..<2 { for k in 0..<4 { total += x[[i, j, k]] } }
            XCTAssertEqual(s[[j]], total, accuracy: 1e-12)
        }
        for i in 0..<2 {
            for k in 0..<4 {
                XCTAssertEqual(m[[i, k]], (0..<3).map { x[[i, $0, k]] }.max()!)
                for j in 0..<3 { XCTAssertEqual(p[[k, i, j]], x[[i, j, k]]) }
            }
        }
        XCTAssertThrowsError(try x.sum(axes: [3]))
    }

    func testSoftmaxAndCrossEntropyAgainstFormulas() throws {
        let x = try Tensor<Double>.uniform(shape: [3, 5], low: -20, high: 20, seed: 6)
        let y = try Variable(x).softmax(axis: 1).value
        for i in 0..<3 {
            let row = (0..<5).map { x[[i, $0]] }
            let top = row.max()!
            let z = row.map { Foundation.exp($0 - top) }.reduce(0, +)
            for j in 0..<5 { XCTAssertEqual(y[[i, j]], Foundation.exp(row[j] - top) / z, accuracy: 1e-12) }
        }
        let targets = [4, 0, 2]
        let loss = try Variable(x).crossEntropy(classAxis: 1, targets: targets).value.storage[0]
        let expected =
            (0..<3).map { i -> Double in
                let row = (0..<5).map { x[[i, $0]] }
                let top = row.max()!
                return -(row[targets[i]] - top - Foundation.log(row.map { Foundation.exp($0 - top) }.reduce(0, +)))
            }.reduce(0, +) / 3
        XCTAssertEqual(loss, expected, accuracy: 1e-12)
    }

    func testShapeErrorsAreTypedNotTraps() throws {
        XCTAssertThrowsError(try Tensor<Float>(shape: [2, 3], [1, 2, 3]))
        XCTAssertThrowsError(try Tensor<Float>(shape: [2, 3]).reshaped([4]))
        XCTAssertThrowsError(try Contraction.einsum([(Tensor<Float>(shape: [2, 3]), ["i"])], output: ["i"]))
        XCTAssertThrowsError(
            try Contraction.einsum(
                [(Tensor<Float>(shape: [2, 3]), ["i", "j"]), (Tensor<Float>(shape: [4]), ["j"])], output: ["i"]))
        XCTAssertThrowsError(try Variable(Tensor<Float>(shape: [2, 2])).crossEntropy(classAxis: 1, targets: [0, 5]))
        // A backward seed must have the value's shape (the pullbacks index it unchecked).
        let x = Variable(try Tensor<Float>(shape: [2, 3]), requiresGrad: true)
        XCTAssertThrowsError(try x.relu().backward(seed: Tensor<Float>(shape: [3, 2])))
    }

    func testEmptyAxesGiveEmptyResultsForwardAndBackward() throws {
        // Kernels that write through raw pointers must not touch an empty buffer's (nil) base.
        let empty = Variable(try Tensor<Float>(shape: [2, 0, 3]), requiresGrad: true)
        XCTAssertEqual(try empty.slice(axis: 2, start: 1, end: 3).shape, [2, 0, 2])
        XCTAssertEqual(try concatenate([empty, empty], axis: 0).shape, [4, 0, 3])
        XCTAssertEqual(try empty.softmax(axis: 1).shape, [2, 0, 3])
        XCTAssertEqual(try empty.softmax(axis: 2).shape, [2, 0, 3])
        let scores = try einsum([(empty, ["b", "s", "d"]), (empty, ["b", "t", "d"])], output: ["b", "s", "t"])
        XCTAssertEqual(scores.shape, [2, 0, 0])
        let batchless = try Contraction.einsum(
            [
                (Tensor<Float>(shape: [0, 2, 3]), ["b", "i", "j"]),
                (Tensor<Float>(shape: [0, 3, 4]), ["b", "j", "k"]),
            ],
            output: ["b", "i", "k"])
        XCTAssertEqual(batchless.shape, [0, 2, 4])
        try (try empty.slice(axis: 2, start: 0, end: 2).sumAll() + scores.sumAll()).backward()
        XCTAssertEqual(empty.grad?.shape, [2, 0, 3])
    }
}

final class FloatSoftmaxTests: XCTestCase {
    func testFloatSoftmaxAgreesWithDoubleAlongEveryAxis() throws {
        // The last axis goes to the vector kernel (37: two 16-lane blocks and a tail), the
        // first through the strided loop; both against the float64 path, from the same
        // float32 inputs, kept small enough that rounding x − max stays under 1e-6.
        // Backward likewise, from a random upstream gradient w (the loss is Σ softmax(x) ⊙ w).
        let x = try Tensor<Float>.uniform(shape: [37, 37], low: -4, high: 4, seed: 51).converted(to: Double.self)
        let w = try Tensor<Float>.uniform(shape: [37, 37], seed: 52).converted(to: Double.self)
        for axis in [0, 1] {
            let (x64, x32) = (
                Variable(x, requiresGrad: true), Variable(try x.converted(to: Float.self), requiresGrad: true)
            )
            let (exact, single) = (try x64.softmax(axis: axis), try x32.softmax(axis: axis))
            for (s, e) in zip(single.value.storage, exact.value.storage) {
                XCTAssertEqual(Double(s), e, accuracy: 1e-6 * max(e, 1e-30) + 1e-12)
            }
            try (try exact * Variable(w)).sumAll().backward()
            try (try single * Variable(w.converted(to: Float.self))).sumAll().backward()
            let (g64, g32) = (try XCTUnwrap(x64.grad), try XCTUnwrap(x32.grad))
            for (s, e) in zip(g32.storage, g64.storage) { XCTAssertEqual(Double(s), e, accuracy: 1e-6) }
        }
    }

    func testFloatSoftmaxUsesAnAccurateExp() throws {
        // Rows of 1000 (vectorised path) over a wide range, against libm in double.
        let x = try Tensor<Float>.uniform(shape: [3, 1000], low: -90, high: 30, seed: 50)
        let y = try Variable(x).softmax(axis: 1).value
        for r in 0..<3 {
            // The reference starts from the same float32 shifted logits (x − max, rounded as
            // the runtime rounds them), so it measures the exponential, not the subtraction.
            let top = (0..<1000).map { x[[r, $0]] }.max()!
            let shifted = (0..<1000).map { Double(x[[r, $0]] - top) }
            let z = shifted.map { Foundation.exp($0) }.reduce(0, +)
            for j in 0..<1000 where shifted[j] > -87 {
                let expected = Foundation.exp(shifted[j]) / z
                XCTAssertEqual(Double(y[[r, j]]), expected, accuracy: 1e-6 * expected)
            }
        }
    }
}
