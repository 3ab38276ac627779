import Foundation
import NCDTensor
import XCTest

/// Each optimiser over several steps against PyTorch's update rules written out in double
/// precision, scalar by scalar, on the loss Σ p² + w·p (gradient 2p + w).
final class OptimizerTests: XCTestCase {
    let start: [Double] = [1, -2, 0.5, 3]
    let w: [Double] = [0.3, -0.1, 0.7, -1.5]

    /// Runs `steps` steps of the optimiser `make` builds, in `T`, returning the parameter.
    func trajectory<T: TensorElement>(
        _: T.Type, steps: Int, lrs: [Double]? = nil, _ make: ([Variable<T>]) -> any Optimizer<T>
    ) throws -> [Double] {
        let p = Variable(try Tensor<T>(shape: [4], start.map { T($0) }), requiresGrad: true)
        let frozen = Variable(try Tensor<T>(shape: [2], [5, 6]), requiresGrad: true)
        let weights = Variable(try Tensor<T>(shape: [4], w.map { T($0) }))
        let optimizer = make([p, frozen])
        for s in 0..<steps {
            if let lrs { optimizer.learningRate = lrs[s] }
            optimizer.zeroGrad()
            try (p * p + p * weights).sumAll().backward()
            try optimizer.step()
        }
        // A parameter without a gradient is neither moved nor counted.
        XCTAssertEqual(frozen.value.storage, [5, 6])
        XCTAssertEqual(optimizer.state.steps, [steps, 0])
        return p.value.storage.map { Double($0) }
    }

    func gradient(_ x: [Double]) -> [Double] { zip(x, w).map { 2 * $0 + $1 } }

    func assertClose(_ a: [Double], _ b: [Double], relative: Double, file: StaticString = #filePath, line: UInt = #line)
    {
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x, y, accuracy: relative * max(1, abs(y)), file: file, line: line)
        }
    }

    /// torch.optim.SGD's step, written out.
    func sgdReference(steps: Int, lr: Double, momentum: Double, dampening: Double, decay: Double, nesterov: Bool)
        -> [Double]
    {
        var x = start
        var buffer: [Double]? = nil
        for _ in 0..<steps {
            var d = zip(gradient(x), x).map { $0 + decay * $1 }
            if momentum != 0 {
                let b = buffer.map { old in zip(old, d).map { momentum * $0 + (1 - dampening) * $1 } } ?? d
                buffer = b
                d = nesterov ? zip(d, b).map { $0 + momentum * $1 } : b
            }
            x = zip(x, d).map { $0 - lr * $1 }
        }
        return x
    }

    /// torch.optim.Adam / AdamW's step, written out.
    func adamReference(steps: Int, lrs: [Double], b1: Double, b2: Double, eps: Double, decay: Double, decoupled: Bool)
        -> [Double]
    {
        var x = start
        var m = [Double](repeating: 0, count: 4)
        var v = m
        for t in 1...steps {
            let lr = lrs[t - 1]
            // The gradient is taken where the parameter was, before AdamW shrinks it.
            let g = decoupled ? gradient(x) : zip(gradient(x), x).map { $0 + decay * $1 }
            if decoupled { x = x.map { $0 * (1 - lr * decay) } }
            for j in 0..<4 {
                m[j] = b1 * m[j] + (1 - b1) * g[j]
                v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j]
                let mHat = m[j] / (1 - pow(b1, Double(t)))
                let vHat = v[j] / (1 - pow(b2, Double(t)))
                x[j] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        return x
    }

    func testSGDVariantsFollowTorchsFormulas() throws {
        let cases: [(momentum: Double, dampening: Double, decay: Double, nesterov: Bool)] = [
            (0, 0, 0, false), (0, 0, 0.1, false), (0.9, 0, 0, false), (0.9, 0.5, 0.01, false), (0.9, 0, 0.05, true),
        ]
        for c in cases {
            let expected = sgdReference(
                steps: 6, lr: 0.05, momentum: c.momentum, dampening: c.dampening, decay: c.decay, nesterov: c.nesterov)
            let make: ([Variable<Double>]) -> any Optimizer<Double> = {
                SGD(
                    $0, learningRate: 0.05, momentum: c.momentum, dampening: c.dampening, weightDecay: c.decay,
                    nesterov: c.nesterov)
            }
            assertClose(try trajectory(Double.self, steps: 6, make), expected, relative: 1e-13)
            let makeFloat: ([Variable<Float>]) -> any Optimizer<Float> = {
                SGD(
                    $0, learningRate: 0.05, momentum: c.momentum, dampening: c.dampening, weightDecay: c.decay,
                    nesterov: c.nesterov)
            }
            assertClose(try trajectory(Float.self, steps: 6, makeFloat), expected, relative: 1e-6)
        }
        // Dampening does not touch the first step: the buffer starts as the gradient itself.
        XCTAssertNotEqual(
            sgdReference(steps: 3, lr: 0.05, momentum: 0.9, dampening: 0.5, decay: 0, nesterov: false),
            sgdReference(steps: 3, lr: 0.05, momentum: 0.9, dampening: 0, decay: 0, nesterov: false))
    }

    func testAdamAndAdamWFollowTorchsFormulas() throws {
        let lrs = [0.01, 0.02, 0.03, 0.02, 0.01, 0.005, 0.001]
        for (decay, decoupled) in [(0.0, false), (0.1, false), (0.1, true), (0.01, true)] {
            let expected = adamReference(
                steps: 7, lrs: lrs, b1: 0.8, b2: 0.99, eps: 1e-6, decay: decay, decoupled: decoupled)
            let make: ([Variable<Double>]) -> any Optimizer<Double> = {
                Adam($0, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: decay, decoupled: decoupled)
            }
            assertClose(try trajectory(Double.self, steps: 7, lrs: lrs, make), expected, relative: 1e-12)
            let makeFloat: ([Variable<Float>]) -> any Optimizer<Float> = {
                Adam($0, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: decay, decoupled: decoupled)
            }
            assertClose(try trajectory(Float.self, steps: 7, lrs: lrs, makeFloat), expected, relative: 2e-6)
        }
        // AdamW's default decay is PyTorch's 0.01, and decoupled.
        let adamW = Adam<Float>.adamW([])
        XCTAssertEqual(adamW.weightDecay, 0.01)
        XCTAssertTrue(adamW.decoupled)
    }

    func testAdamWithASmallBeta1UsesTheOtherFormOfLerp() throws {
        // β₁ = 0.3 gives lerp a weight of 0.7, which torch computes from the end.
        let expected = adamReference(
            steps: 4, lrs: [0.1, 0.1, 0.1, 0.1], b1: 0.3, b2: 0.9, eps: 1e-8, decay: 0,
            decoupled: false)
        let make: ([Variable<Double>]) -> any Optimizer<Double> = {
            Adam($0, learningRate: 0.1, beta1: 0.3, beta2: 0.9)
        }
        assertClose(try trajectory(Double.self, steps: 4, make), expected, relative: 1e-12)
    }

    func testGradientClippingScalesEveryGradientByTheGlobalNorm() throws {
        let a = Variable(try Tensor<Double>(shape: [2], [3, 0]), requiresGrad: true)
        let b = Variable(try Tensor<Double>(shape: [1], [4]), requiresGrad: true)
        try ((a * a).sumAll() + (b * b).sumAll()).backward()  // gradients (6, 0) and (8): norm 10
        XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 20), 10, accuracy: 1e-12)
        XCTAssertEqual(a.grad!.storage, [6, 0], "under the limit, nothing changes")
        XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 5), 10, accuracy: 1e-12)
        let c = 5 / (10 + 1e-6)
        XCTAssertEqual(a.grad!.storage[0], 6 * c, accuracy: 1e-12)
        XCTAssertEqual(b.grad!.storage[0], 8 * c, accuracy: 1e-12)
        let norm = (a.grad!.storage + b.grad!.storage).reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertEqual(norm, 5, accuracy: 1e-5)
    }

    func testStateRoundTripsAndIsChecked() throws {
        let p = Variable(try Tensor<Float>(shape: [3], [1, 2, 3]), requiresGrad: true)
        let adam = Adam([p])
        try (p * p).sumAll().backward()
        try adam.step()
        let fresh = Adam([Variable(try Tensor<Float>(shape: [3], [1, 2, 3]), requiresGrad: true)])
        XCTAssertTrue(fresh.state.accepts(adam.state, sizes: [3]))
        XCTAssertFalse(fresh.state.accepts(adam.state, sizes: [4]))
        XCTAssertFalse(SGD([p], learningRate: 0.1, momentum: 0.9).state.accepts(adam.state, sizes: [3]))
        fresh.state = adam.state
        XCTAssertEqual(fresh.state, adam.state)
    }
}
