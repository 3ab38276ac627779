/// Layer norm over the last axis with learned scale and shift, fused forward and backward:
/// y = (x − μ)/σ ⊙ γ + β with σ = √(var + ε), statistics per row.
public func layerNorm<T>(_ x: Variable<T>, weight: Variable<T>, bias: Variable<T>, epsilon: T = 1e-5) throws
    -> Variable<T>
{
    guard let d = x.shape.last, weight.shape == [d], bias.shape == [d] else {
        throw TensorError.broadcast(weight.shape, [x.shape.last ?? 0])
    }
    let rows = x.value.count / Swift.max(d, 1)
    // The normalised rows n̂ are kept for γ's gradient (dx is recomputed from x, in double).
    var normalized: [T] = []
    let y = try x.value.storage.withUnsafeBufferPointer { xs in
        try weight.value.storage.withUnsafeBufferPointer { w in
            try bias.value.storage.withUnsafeBufferPointer { b in
                try [T](uninitializedCount: rows * d) { ys in
                    normalized = try [T](uninitializedCount: rows * d) { ns in
                        Parallel.forEachChunk(rows, costPerItem: d * 4) { chunk in
                            for r in chunk {
                                let (x, n, y) = (
                                    xs.baseAddress! + r * d, ns.baseAddress! + r * d, ys.baseAddress! + r * d
                                )
                                let mean = RowFolds.sum(x, d) / T(d)
                                let variance = RowFolds.sum(d) { (x[$0] - mean) * (x[$0] - mean) } / T(d)
                                let inv = 1 / T.sqrt(variance + epsilon)
                                for j in 0..<d {
                                    n[j] = (x[j] - mean) * inv
                                    y[j] = n[j] * w[j] + b[j]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return Variable(Tensor(unchecked: x.shape, y), operation: "layernorm", parents: [x, weight, bias]) { g in
        // γ and β gradients sum over rows ([γ | β]), in per-chunk partials.
        var sums: [T] = []
        let dx = try g.storage.withUnsafeBufferPointer { gs in
            try normalized.withUnsafeBufferPointer { ns in
                try x.value.storage.withUnsafeBufferPointer { xs in
                    try weight.value.storage.withUnsafeBufferPointer { w in
                        try [T](uninitializedCount: rows * d) { dxs in
                            sums = try Parallel.sumOfChunks(rows, costPerItem: d * 8, size: 2 * d) { _, chunk, own in
                                for r in chunk {
                                    let (g, n, dx) = (
                                        gs.baseAddress! + r * d, ns.baseAddress! + r * d, dxs.baseAddress! + r * d
                                    )
                                    for j in 0..<d {
                                        own[j] += g[j] * n[j]
                                        own[d + j] += g[j]
                                    }
                                    Variable<T>.layerNormRowGradient(
                                        xs.baseAddress! + r * d, g, w.baseAddress!, dx, d, epsilon: epsilon)
                                }
                            }
                        }
                    }
                }
            }
        }
        let (dw, db) = (Array(sums[..<d]), Array(sums[d...]))
        return [Tensor(unchecked: x.shape, dx), Tensor(unchecked: [d], dw), Tensor(unchecked: [d], db)]
    }
}

extension Variable {
    /// One row's dx = (1/σ)(ĝ − mean(ĝ) − n̂·mean(ĝ·n̂)) with ĝ = g ⊙ γ, in double precision
    /// from x itself: where the row's entries are few or nearly equal, the terms cancel almost
    /// exactly (over two entries n̂ = ±1 and dx is ĝ's difference times 1 − n̂², of order
    /// ε/var), and float32's rounding of n̂ alone made errors seven times PyTorch's (found by
    /// differential testing against PyTorch and float64).
    @inline(__always)
    static func layerNormRowGradient(
        _ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ w: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, _ d: Int,
        epsilon: T
    ) {
        var sum = 0.0
        for j in 0..<d { sum += Double(x[j]) }
        let mean = sum / Double(d)
        var squares = 0.0
        for j in 0..<d { squares += (Double(x[j]) - mean) * (Double(x[j]) - mean) }
        let inv = 1 / (squares / Double(d) + Double(epsilon)).squareRoot()
        var meanG = 0.0
        var meanDot = 0.0
        for j in 0..<d {
            let gw = Double(g[j]) * Double(w[j])
            meanG += gw
            meanDot += gw * (Double(x[j]) - mean) * inv
        }
        meanG /= Double(d)
        meanDot /= Double(d)
        for j in 0..<d {
            let n = (Double(x[j]) - mean) * inv
            dx[j] = T(inv * (Double(g[j]) * Double(w[j]) - meanG - n * meanDot))
        }
    }
}
