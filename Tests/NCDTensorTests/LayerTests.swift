import Foundation
import XCTest

@testable import NCDTensor

/// Linear maps, normalisation, windowing, convolution, pooling and optimisers.
final class LayerTests: XCTestCase {
    func testLinearGradientsAndForward() throws {
        let x = try random([2, 3, 4], seed: 1)
        let w = try random([5, 4], seed: 2)
        let b = try random([5], seed: 3)
        try checkGradients([x, w, b]) { try linear($0[0], weight: $0[1], bias: $0[2]) }
        try checkGradients([x, w]) { try linear($0[0], weight: $0[1], bias: nil) }
        let y = try linear(Variable(x), weight: Variable(w), bias: Variable(b)).value
        for i in 0..<2 {
            for j in 0..<3 {
                for o in 0..<5 {
                    let expected = b[[o]] + (0..<4).map { x[[i, j, $0]] * w[[o, $0]] }.reduce(0, +)
                    XCTAssertEqual(y[[i, j, o]], expected, accuracy: 1e-12)
                }
            }
        }
    }

    func testLayerNorm() throws {
        let x = try random([3, 6], seed: 4)
        let w = try random([6], seed: 5)
        let b = try random([6], seed: 6)
        try checkGradients([x, w, b]) { try layerNorm($0[0], weight: $0[1], bias: $0[2]) }
        let y = try layerNorm(
            Variable(x), weight: Variable(Tensor(shape: [6], repeating: 1)), bias: Variable(Tensor(shape: [6]))
        ).value
        for r in 0..<3 {
            let row = (0..<6).map { y[[r, $0]] }
            XCTAssertEqual(row.reduce(0, +) / 6, 0, accuracy: 1e-12)
            XCTAssertEqual(row.map { $0 * $0 }.reduce(0, +) / 6, 1, accuracy: 1e-4)  // ε = 1e-5 shrinks it slightly
        }
    }

    func testWindowGradients() throws {
        let x = try random([2, 7], seed: 7)
        try checkGradients([x]) { try $0[0].window(spatial: [1], WindowSpec(kernel: 3, stride: 2, padding: 1)) }
        try checkGradients([x]) { try $0[0].window(spatial: [1], WindowSpec(kernel: 2, dilation: 3)) }
        let image = try random([1, 2, 5, 4], seed: 8)
        try checkGradients([image]) { try $0[0].window(spatial: [2, 3], WindowSpec(kernel: 3, stride: 2, padding: 1)) }
    }

    func testWindowShapeAndPadding() throws {
        let x = try Tensor<Double>(shape: [4], [1, 2, 3, 4])
        let w = try Variable(x).window(spatial: [0], WindowSpec(kernel: 3, stride: 2, padding: 1)).value
        XCTAssertEqual(w.shape, [2, 3])
        XCTAssertEqual(w.storage, [0, 1, 2, 2, 3, 4])
        XCTAssertThrowsError(try Variable(x).window(spatial: [0], WindowSpec(kernel: 9)))
    }

    func testConvolutionAgainstLoops() throws {
        let x = try random([2, 3, 6, 5], seed: 9)
        let w = try random([4, 3, 3, 3], seed: 10)
        let b = try random([4], seed: 11)
        let spec = WindowSpec(kernel: 3, stride: 2, padding: 1)
        let y = try Variable(x).conv2d(weight: Variable(w), bias: Variable(b), spec).value
        XCTAssertEqual(y.shape, [2, 4, 3, 3])
        for n in 0..<2 {
            for o in 0..<4 {
                for i in 0..<3 {
                    for j in 0..<3 {
                        var total = b[[o]]
                        for c in 0..<3 {
                            for di in 0..<3 {
                                for dj in 0..<3 {
                                    let (r, s) = (i * 2 - 1 + di, j * 2 - 1 + dj)
                                    if r >= 0, r < 6, s >= 0, s < 5 { total += x[[n, c, r, s]] * w[[o, c, di, dj]] }
                                }
                            }
                        }
                        XCTAssertEqual(y[[n, o, i, j]], total, accuracy: 1e-12)
                    }
                }
            }
        }
        try checkGradients([random([1, 2, 4, 4], seed: 12), random([3, 2, 3, 3], seed: 13), random([3], seed: 14)]) {
            try $0[0].conv2d(weight: $0[1], bias: $0[2], WindowSpec(kernel: 3, padding: 1))
        }
        try checkGradients([random([2, 2, 5, 6], seed: 22), random([3, 2, 2, 2], seed: 23)]) {
            try $0[0].conv2d(weight: $0[1], bias: nil, WindowSpec(kernel: 2, stride: 2, padding: 1, dilation: 2))
        }
    }

    func testTransposedConvolutionIsTheAdjointOfConvolution() throws {
        // ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ for every x, y: the defining property.
        var checked = 0
        for spec in [
            WindowSpec(kernel: 2, stride: 2), WindowSpec(kernel: 3, stride: 2, padding: 1),
            WindowSpec(kernel: 3, dilation: 2),
        ] {
            let w = try random([3, 2, spec.kernel, spec.kernel], seed: 60)  // conv: 2 → 3 channels; transposed: 3 → 2
            let x = try random([2, 2, 7, 7], seed: 61)
            let cx = try Variable(x).conv2d(weight: Variable(w), bias: nil, spec).value
            let y = try random(cx.shape, seed: 62)
            let ty = try Variable(y).convTranspose2d(weight: Variable(w), bias: nil, spec).value
            guard ty.shape == x.shape else { continue }  // stride can leave rows no output reaches
            let left = zip(cx.storage, y.storage).map(*).reduce(0, +)
            let right = zip(x.storage, ty.storage).map(*).reduce(0, +)
            XCTAssertEqual(left, right, accuracy: 1e-10)
            checked += 1
        }
        XCTAssertEqual(checked, 2, "7×7 images fit two of the three geometries exactly")
        try checkGradients([random([1, 3, 3, 2], seed: 63), random([3, 2, 2, 2], seed: 64), random([2], seed: 65)]) {
            try $0[0].convTranspose2d(weight: $0[1], bias: $0[2], WindowSpec(kernel: 2, stride: 2))
        }
        try checkGradients([random([1, 2, 3, 3], seed: 66), random([2, 2, 3, 3], seed: 67)]) {
            try $0[0].convTranspose2d(weight: $0[1], bias: nil, WindowSpec(kernel: 3, stride: 2, padding: 1))
        }
        let up = try Variable(random([1, 3, 4, 4], seed: 68)).convTranspose2d(
            weight: Variable(random([3, 2, 2, 2], seed: 69)), bias: nil, WindowSpec(kernel: 2, stride: 2))
        XCTAssertEqual(up.shape, [1, 2, 8, 8])
    }

    func testFusedConvolutionEqualsWindowThenContraction() throws {
        // The paper's ★ followed by L: the composition the fused op stands for.
        let x = try random([2, 3, 7, 6], seed: 24)
        let w = try random([4, 3, 3, 3], seed: 25)
        for spec in [WindowSpec(kernel: 3, padding: 1), WindowSpec(kernel: 3, stride: 2, dilation: 2)] {
            let fused = try Variable(x).conv2d(weight: Variable(w), bias: nil, spec).value
            let window = try Variable(x).window(spatial: [2, 3], spec)
            let composed = try einsum(
                [(window, ["n", "c", "h", "w", "i", "j"]), (Variable(w), ["o", "c", "i", "j"])],
                output: ["n", "o", "h", "w"]
            ).value
            assertClose(fused, composed, tolerance: 1e-12)
        }
    }

    func testPooling() throws {
        let x = try random([1, 2, 4, 6], seed: 15)
        let m = try Variable(x).maxPool2d(WindowSpec(kernel: 2, stride: 2)).value
        XCTAssertEqual(m.shape, [1, 2, 2, 3])
        for c in 0..<2 {
            for i in 0..<2 {
                for j in 0..<3 {
                    let block = [
                        x[[0, c, 2 * i, 2 * j]], x[[0, c, 2 * i + 1, 2 * j]], x[[0, c, 2 * i, 2 * j + 1]],
                        x[[0, c, 2 * i + 1, 2 * j + 1]],
                    ]
                    XCTAssertEqual(m[[0, c, i, j]], block.max()!)
                }
            }
        }
        try checkGradients([x]) { try $0[0].maxPool2d(WindowSpec(kernel: 2, stride: 2)) }
        try checkGradients([x]) { try $0[0].maxPool2d(WindowSpec(kernel: 3, stride: 2, padding: 1)) }
        // The fused max-pool equals ★ then Max over the window.
        let viaWindow = try Variable(x).window(spatial: [2, 3], WindowSpec(kernel: 3, stride: 2, padding: 1)).max(
            axes: [4, 5]).value
        let fused = try Variable(x).maxPool2d(WindowSpec(kernel: 3, stride: 2, padding: 1)).value
        XCTAssertEqual(fused.shape, viaWindow.shape)
        // Padding reads 0 in the window but is skipped by the pool, so compare where no
        // window touches the padding: here every window has at least one real element, and
        // the inputs are not all negative in any window.
        for (a, b) in zip(fused.storage, viaWindow.storage) where b > 0 { XCTAssertEqual(a, b) }
        try checkGradients([x]) { try $0[0].avgPool2d(WindowSpec(kernel: 2, stride: 2)) }
    }
}

final class NormalizationAndDropoutTests: XCTestCase {
    func testRMSNorm() throws {
        try checkGradients([random([3, 5], seed: 40), random([5], seed: 41)]) { try $0[0].rmsNorm(weight: $0[1]) }
        let x = try random([2, 4], seed: 42)
        let y = try Variable(x).rmsNorm(weight: Variable(Tensor(shape: [4], repeating: 1))).value
        for r in 0..<2 {
            let rms = ((0..<4).map { x[[r, $0]] * x[[r, $0]] }.reduce(0, +) / 4 + 1e-6).squareRoot()
            for j in 0..<4 { XCTAssertEqual(y[[r, j]], x[[r, j]] / rms, accuracy: 1e-12) }
        }
    }

    func testBatchNormTrainingAndEvaluation() throws {
        let x = try random([4, 3, 2, 2], seed: 43)
        // Gradients through the training path (γ, β and x).
        try checkGradients([x]) { v in
            let bn = try BatchNorm<Double>(features: 3)
            return try bn(v[0], training: true)
        }
        let bn = try BatchNorm<Double>(features: 3, momentum: 0.1)
        let y = try bn(Variable(x), training: true).value
        for c in 0..<3 {
            var values: [Double] = []
            for n in 0..<4 { for i in 0..<2 { for j in 0..<2 { values.append(x[[n, c, i, j]]) } } }
            let mean = values.reduce(0, +) / 16
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 16
            XCTAssertEqual(
                y[[1, c, 0, 1]], (x[[1, c, 0, 1]] - mean) / (variance + 1e-5).squareRoot(), accuracy: 1e-12)
            XCTAssertEqual(bn.runningMean[[c]], 0.1 * mean, accuracy: 1e-12)
            XCTAssertEqual(bn.runningVariance[[c]], 0.9 + 0.1 * variance * 16 / 15, accuracy: 1e-12)
        }
        // Evaluation uses the running statistics, not the batch's.
        let e = try bn(Variable(x), training: false).value
        XCTAssertEqual(
            e[[0, 2, 1, 1]], (x[[0, 2, 1, 1]] - bn.runningMean[[2]]) / (bn.runningVariance[[2]] + 1e-5).squareRoot(),
            accuracy: 1e-12)
    }

    func testBatchNormRefusesOneValuePerFeatureInTraining() throws {
        let bn = try BatchNorm<Double>(features: 3)
        XCTAssertThrowsError(try bn(Variable(random([1, 3], seed: 48)), training: true)) {
            XCTAssertEqual($0 as? TensorError, .singleValueBatch(features: 3))
        }
        XCTAssertEqual(bn.runningVariance.storage, [1, 1, 1], "the statistics are untouched")
        XCTAssertNoThrow(try bn(Variable(random([1, 3], seed: 48)), training: false))
    }

    func testFusedBatchNormGradientsInBothModesAndAnyFeatureAxis() throws {
        // Features in the middle of [outer, features, inner] blocks, γ and β differentiated
        // too, in training (batch statistics) and evaluation (running statistics).
        let x = try random([3, 2, 4], seed: 44)
        for training in [true, false] {
            try checkGradients([x, random([4], seed: 45), random([4], seed: 46)]) { v in
                let bn = BatchNorm<Double>(
                    weight: v[1], bias: v[2], runningMean: try random([4], seed: 47),
                    runningVariance: try Tensor(shape: [4], repeating: 0.7), featureAxis: 2)
                return try bn(v[0], training: training)
            }
        }
    }

    func testDropoutIsSeededScaledAndMasksItsGradient() throws {
        let x = Variable(try Tensor<Double>(shape: [1000], repeating: 1), requiresGrad: true)
        var g1 = SplitMix64(seed: 7)
        var g2 = SplitMix64(seed: 7)
        let a = try x.dropout(probability: 0.25, generator: &g1)
        let b = try x.dropout(probability: 0.25, generator: &g2)
        XCTAssertEqual(a.value, b.value, "the same seed gives the same mask")
        let kept = a.value.storage.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 4.0 / 3) < 1e-12 })
        XCTAssertEqual(Double(kept.count) / 1000, 0.75, accuracy: 0.05)
        try a.sumAll().backward()
        XCTAssertEqual(x.grad?.storage, a.value.storage)
        XCTAssertThrowsError(try x.dropout(probability: 1, generator: &g1))
    }

    func testNonFiniteValuesNameTheOperation() throws {
        let x = Variable(try Tensor<Double>(shape: [2], [-1, 4]))
        XCTAssertThrowsError(try x.log().checkedFinite()) { error in
            XCTAssertEqual("\(error)", "`log` produced NaN")
        }
        XCTAssertNoThrow(try x.square().checkedFinite())
        XCTAssertThrowsError(
            try (try Variable(try Tensor<Double>(shape: [1], [1])) / Variable(Tensor<Double>(shape: [1])))
                .checkedFinite()
        ) {
            XCTAssertEqual("\($0)", "`div` produced +infinity")
        }
    }

    func testResultsAgreeAcrossThreadCounts() throws {
        // Large enough to split across threads: elementwise, softmax, layer norm.
        let x = try Tensor<Float>.uniform(shape: [64, 1024], seed: 44)
        func run() throws -> [Tensor<Float>] {
            let v = Variable(x, requiresGrad: true)
            let w = Variable(try Tensor<Float>(shape: [1024], repeating: 1), requiresGrad: true)
            let y = try layerNorm(try v.softmax(axis: 1).tanh(), weight: w, bias: Variable(Tensor(shape: [1024])))
            try y.sumAll().backward()
            return [y.value, v.grad!, w.grad!]
        }
        TensorThreads.set(1)
        let one = try run()
        TensorThreads.set(2)
        let two = try run()
        TensorThreads.set(1)
        for (a, b) in zip(one, two) {
            for (p, q) in zip(a.storage, b.storage) { XCTAssertEqual(p, q, accuracy: 1e-4 * max(1, abs(p))) }
        }
    }

    func testConvolutionAndPoolingAgreeAcrossThreadCounts() throws {
        // Nine images, enough work to split into several uneven chunks at 2 threads: the
        // per-chunk weight and bias partials, the input gradient's per-chunk scratch, and
        // pooling's per-plane backward. One thread's results pass the gradient checks above.
        let x = try random([9, 3, 8, 8], seed: 70)
        let w = try random([16, 3, 3, 3], seed: 71)
        let b = try random([16], seed: 72)
        let wt = try random([3, 16, 3, 3], seed: 73)
        func run() throws -> [Tensor<Double>] {
            let (vx, vw, vb, vt) = (
                Variable(x, requiresGrad: true), Variable(w, requiresGrad: true),
                Variable(b, requiresGrad: true), Variable(wt, requiresGrad: true)
            )
            let pooled = try vx.conv2d(weight: vw, bias: vb, WindowSpec(kernel: 3, padding: 1)).relu().maxPool2d(
                WindowSpec(kernel: 2, stride: 2))
            let up = try vx.convTranspose2d(weight: vt, bias: nil, WindowSpec(kernel: 3, stride: 2, padding: 1))
            try (try pooled.square().sumAll() + up.square().sumAll()).backward()
            return [pooled.value, up.value, vx.grad!, vw.grad!, vb.grad!, vt.grad!]
        }
        TensorThreads.set(2)
        XCTAssertGreaterThan(Parallel.chunkCount(9, costPerItem: 16 * 27 * 64), 2, "the convolution splits")
        XCTAssertGreaterThan(Parallel.chunkCount(9, costPerItem: 3 * 16 * 9 * 64), 2, "the transposed one splits")
        TensorThreads.set(1)
        let one = try run()
        TensorThreads.set(2)
        defer { TensorThreads.set(1) }
        let two = try run()
        for (a, b) in zip(one, two) {
            XCTAssertEqual(a.shape, b.shape)
            for (p, q) in zip(a.storage, b.storage) { XCTAssertEqual(p, q, accuracy: 1e-12 * max(1, abs(p))) }
        }
    }

    func testLinearSplitAcrossThreadsMatchesAReferenceLoop() throws {
        // Wide and tall outputs, so the gemm splits by columns and by rows and each piece
        // starts its block from the right slice of the bias; enough rows that the bias
        // gradient sums several chunks.
        XCTAssertGreaterThan(
            {
                TensorThreads.set(2)
                defer { TensorThreads.set(1) }
                return Parallel.chunkCount(700, costPerItem: 100)
            }(), 1)
        for (rows, out, inn) in [(37, 100, 300), (700, 100, 40)] {
            let x = try Tensor<Float>.uniform(shape: [rows, inn], seed: 80)
            let w = try Tensor<Float>.uniform(shape: [out, inn], seed: 81)
            let b = try Tensor<Float>.uniform(shape: [out], seed: 82)
            let r = try Tensor<Float>.uniform(shape: [rows, out], seed: 83)
            var y = [Double](repeating: 0, count: rows * out)
            var db = [Double](repeating: 0, count: out)
            for i in 0..<rows {
                for o in 0..<out {
                    y[i * out + o] = Double(b.storage[o])
                    for k in 0..<inn {
                        y[i * out + o] += Double(x.storage[i * inn + k]) * Double(w.storage[o * inn + k])
                    }
                    db[o] += Double(r.storage[i * out + o])
                }
            }
            TensorThreads.set(2)
            defer { TensorThreads.set(1) }
            let bias = Variable(b, requiresGrad: true)
            let result = try linear(Variable(x), weight: Variable(w), bias: bias)
            try (try result * Variable(r)).sumAll().backward()
            for (got, want) in zip(result.value.storage, y) {
                XCTAssertEqual(Double(got), want, accuracy: 1e-3 * max(1, abs(want)))
            }
            for (got, want) in zip(bias.grad!.storage, db) {
                XCTAssertEqual(Double(got), want, accuracy: 1e-4 * max(1, abs(want)))
            }
        }
    }

    func testGemmsSplitAcrossThreadsMatchAReferenceLoop() throws {
        // Tall (split by rows) and wide (split by columns) products, every operand layout,
        // with sizes that are not multiples of the 16-row blocks.
        for (m, n, k) in [(100, 37, 300), (37, 100, 300)] {
            let a = try Tensor<Float>.uniform(shape: [m, k], seed: 50)
            let b = try Tensor<Float>.uniform(shape: [k, n], seed: 51)
            var reference = [Double](repeating: 0, count: m * n)
            let (sa, sb) = (a.storage, b.storage)
            for i in 0..<m {
                for p in 0..<k {
                    for j in 0..<n { reference[i * n + j] += Double(sa[i * k + p]) * Double(sb[p * n + j]) }
                }
            }
            let at = try a.permuted([1, 0])
            let bt = try b.permuted([1, 0])
            for threads in [1, 2] {
                TensorThreads.set(threads)
                defer { TensorThreads.set(1) }
                let layouts: [(Tensor<Float>, [String], Tensor<Float>, [String])] = [
                    (a, ["i", "p"], b, ["p", "j"]), (at, ["p", "i"], b, ["p", "j"]),
                    (a, ["i", "p"], bt, ["j", "p"]), (at, ["p", "i"], bt, ["j", "p"]),
                ]
                for (x, xl, y, yl) in layouts {
                    let c = try einsum([(Variable(x), xl), (Variable(y), yl)], output: ["i", "j"]).value
                    XCTAssertEqual(c.shape, [m, n])
                    for (got, want) in zip(c.storage, reference) {
                        XCTAssertEqual(Double(got), want, accuracy: 1e-3 * max(1, abs(want)))
                    }
                }
            }
        }
    }
}
