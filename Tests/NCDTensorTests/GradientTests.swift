import Foundation
import NCDTensor
import XCTest

/// Every differentiable operation's backward against finite differences.
final class GradientTests: XCTestCase {
    func testElementwiseFunctions() throws {
        let x = try random([2, 3], seed: 1, away: 0.1)
        let positive = try random([2, 3], seed: 2, positive: true)
        try checkGradients([x]) { try XCTUnwrap($0.first).relu() }
        try checkGradients([x]) { try $0[0].gelu() }
        try checkGradients([x]) { try $0[0].tanh() }
        try checkGradients([x]) { try $0[0].sigmoid() }
        try checkGradients([x]) { try $0[0].exp() }
        try checkGradients([positive]) { try $0[0].log() }
        try checkGradients([positive]) { try $0[0].sqrt() }
        try checkGradients([x]) { try $0[0].square() }
        try checkGradients([x]) { try $0[0].abs() }
        try checkGradients([x]) { try -$0[0] }
        try checkGradients([x]) { try $0[0].scaled(by: 0.25) }
        try checkGradients([x]) { try $0[0].geluTanh() }
        try checkGradients([x]) { try $0[0].silu() }
        try checkGradients([x]) { try $0[0].softplus() }
        try checkGradients([x]) { try $0[0].sin() }
        try checkGradients([x]) { try $0[0].cos() }
        try checkGradients([x]) { try $0[0].erf() }
    }

    /// Forward values against the functions written out independently, in float64.
    func testNewElementwiseFunctionsForward() throws {
        let xs: [Double] = [-30, -3, -0.5, 0, 0.25, 2, 40]
        let x = Variable(try Tensor(shape: [xs.count], xs))
        func check(_ y: Variable<Double>, _ f: (Double) -> Double, _ name: String) {
            for (i, v) in xs.enumerated() {
                XCTAssertEqual(y.value.storage[i], f(v), accuracy: 1e-12 * max(1, abs(f(v))), "\(name)(\(v))")
            }
        }
        // PyTorch's tanh GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
        check(
            try x.geluTanh(),
            { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) },
            "gelu_tanh")
        check(try x.silu(), { $0 / (1 + Foundation.exp(-$0)) }, "silu")
        // Softplus without overflow: at 40 it is 40 (e⁴⁰ would still fit, but log(1 + e⁴⁰) loses it).
        check(
            try x.softplus(),
            { $0 > 20 ? $0 + Foundation.log1p(Foundation.exp(-$0)) : Foundation.log1p(Foundation.exp($0)) }, "softplus")
        check(try x.sin(), Foundation.sin, "sin")
        check(try x.cos(), Foundation.cos, "cos")
        check(try x.erf(), Foundation.erf, "erf")
    }

    func testArithmeticWithBroadcasting() throws {
        let a = try random([2, 3, 4], seed: 3)
        let b = try random([3, 1], seed: 4, positive: true)
        try checkGradients([a, b]) { try $0[0] + $0[1] }
        try checkGradients([a, b]) { try $0[0] - $0[1] }
        try checkGradients([a, b]) { try $0[0] * $0[1] }
        try checkGradients([a, b]) { try $0[0] / $0[1] }
        try checkGradients([b, a]) { try $0[0] * $0[1] }
    }

    func testReductions() throws {
        let x = try random([2, 3, 4], seed: 5)
        try checkGradients([x]) { try $0[0].sum(axes: [0, 2]) }
        try checkGradients([x]) { try $0[0].mean(axes: [1], keepingAxes: true) }
        try checkGradients([x]) { try $0[0].max(axes: [2]) }
        try checkGradients([x]) { try $0[0].sumAll() }
    }

    func testLayoutAndSoftmax() throws {
        let x = try random([2, 3, 4], seed: 6)
        try checkGradients([x]) { try $0[0].permuted([2, 0, 1]) }
        try checkGradients([x]) { try $0[0].reshapedVariable([6, 4]) }
        try checkGradients([x]) { try $0[0].softmax(axis: 1) }
        try checkGradients([x]) { try $0[0].logSoftmax(axis: 2) }
    }

    func testEinsumPatterns() throws {
        let q = try random([3, 4, 2], seed: 7)
        let k = try random([5, 4, 2], seed: 8)
        try checkGradients([q, k]) {
            try einsum([($0[0], ["y", "k", "h"]), ($0[1], ["x", "k", "h"])], output: ["y", "x", "h"])
        }
        let a = try random([2, 3], seed: 9)
        let b = try random([4], seed: 10)
        // An axis only one operand has (`i` here) is summed: its gradient is a stretch.
        try checkGradients([a, b]) { try einsum([($0[0], ["i", "j"]), ($0[1], ["k"])], output: ["k", "j"]) }
        let c = try random([3, 4], seed: 11)
        let d = try random([4, 5], seed: 12)
        let e = try random([5, 2], seed: 13)
        try checkGradients([c, d, e]) {
            try einsum([($0[0], ["a", "b"]), ($0[1], ["b", "c"]), ($0[2], ["c", "d"])], output: ["d", "a"])
        }
        // A scale folded into the product (attention's 1/√d), on two operands and on one.
        try checkGradients([q, k]) {
            try einsum([($0[0], ["y", "k", "h"]), ($0[1], ["x", "k", "h"])], output: ["h", "y", "x"], scale: -0.7)
        }
        try checkGradients([c]) { try einsum([($0[0], ["a", "b"])], output: ["b"], scale: 3) }
    }

    func testLosses() throws {
        let logits = try random([4, 3], seed: 14)
        try checkGradients([logits]) { try $0[0].crossEntropy(classAxis: 1, targets: [2, 0, 1, 1]) }
        // Classes along the first axis.
        try checkGradients([random([3, 4], seed: 15)]) { try $0[0].crossEntropy(classAxis: 0, targets: [2, 0, 1, 1]) }
        let target = try random([4, 3], seed: 16)
        try checkGradients([logits, target]) { try $0[0].meanSquaredError($0[1]) }
    }

    func testValueUsedTwiceAccumulates() throws {
        // y = x ⊙ x + x: the gradient 2x + 1 arrives from three uses.
        try checkGradients([random([5], seed: 17)]) { x in try (try x[0] * x[0]) + x[0] }
    }

    func testAttentionBlockEndToEnd() throws {
        // softmax(Q Kᵀ / √k) V, with Q, K, V linear maps of x, through every op above.
        let x = try random([4, 3], seed: 18)
        let wq = try random([3, 2], seed: 19)
        let wk = try random([3, 2], seed: 20)
        let wv = try random([3, 2], seed: 21)
        try checkGradients([x, wq, wk, wv], tolerance: 1e-5) { v in
            let q = try einsum([(v[0], ["s", "m"]), (v[1], ["m", "k"])], output: ["s", "k"])
            let k = try einsum([(v[0], ["t", "m"]), (v[2], ["m", "k"])], output: ["t", "k"])
            let w = try einsum([(v[0], ["t", "m"]), (v[3], ["m", "k"])], output: ["t", "k"])
            let scores = try einsum([(q, ["s", "k"]), (k, ["t", "k"])], output: ["s", "t"]).scaled(
                by: 1 / 2.0.squareRoot())
            return try einsum([(try scores.softmax(axis: 1), ["s", "t"]), (w, ["t", "k"])], output: ["s", "k"])
        }
    }

    func testGraphIsFreedAfterBackwardAndGradientNeedsAScalar() throws {
        let x = Variable(try Tensor<Double>(shape: [2], repeating: 3), requiresGrad: true)
        let y = try x.square().sumAll()
        try y.backward()
        XCTAssertEqual(x.grad?.storage, [6, 6])
        XCTAssertThrowsError(try x.square().backward()) { XCTAssertEqual($0 as? TensorError, .notScalar([2])) }
        // Inputs without requiresGrad get no gradient and cost no graph.
        let c = Variable(try Tensor<Double>(shape: [2], repeating: 1))
        try (try c * x).sumAll().backward()
        XCTAssertNil(c.grad)
        XCTAssertEqual(x.grad?.storage, [7, 7])
    }
}

final class SelectionTests: XCTestCase {
    func testSliceIndexConcat() throws {
        let x = try random([2, 5, 3], seed: 30)
        try checkGradients([x]) { try $0[0].slice(axis: 1, start: 1, end: 4) }
        try checkGradients([x]) { try $0[0].index(axis: 2, 1) }
        try checkGradients([x, random([2, 2, 3], seed: 31)]) { try concatenate([$0[0], $0[1]], axis: 1) }
        let s = try Variable(x).slice(axis: 1, start: 1, end: 4).value
        XCTAssertEqual(s.shape, [2, 3, 3])
        XCTAssertEqual(s[[1, 0, 2]], x[[1, 1, 2]])
        let c = try concatenate([Variable(x), Variable(x)], axis: 0).value
        XCTAssertEqual(c[[3, 4, 1]], x[[1, 4, 1]])
        XCTAssertThrowsError(try Variable(x).slice(axis: 1, start: 3, end: 9))
        XCTAssertThrowsError(try concatenate([Variable(x), Variable(random([2, 5, 4], seed: 1))], axis: 1))
    }
}
