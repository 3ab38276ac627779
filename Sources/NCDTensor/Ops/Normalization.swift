/// Layer norm over the last axis with learned scale and shift, fused forward and backward:
/// y = (x − μ)/σ ⊙ γ + β with σ = √(var + ε), statistics per row.
public func layerNorm<T>(_ x: Variable<T>, weight: Variable<T>, bias: Variable<T>, epsilon: T = 1e-5) throws -> Variable<T> {
    guard let d = x.shape.last, weight.shape == [d], bias.shape == [d] else {
        throw TensorError.broadcast(weight.shape, [x.shape.last ?? 0])
    }
    let rows = x.value.count / Swift.max(d, 1)
    var y = [T](repeating: 0, count: x.value.count)
    var normalized = y
    var inverseStd = [T](repeating: 0, count: rows)
    let (w, b) = (weight.value.storage, bias.value.storage)
    x.value.storage.withUnsafeBufferPointer { xs in
        y.withUnsafeMutableBufferPointer { ys in
            normalized.withUnsafeMutableBufferPointer { ns in
                for r in 0..<rows {
                    let row = xs.baseAddress! + r * d
                    var mean: T = 0
                    for j in 0..<d { mean += row[j] }
                    mean /= T(d)
                    var variance: T = 0
                    for j in 0..<d { variance += (row[j] - mean) * (row[j] - mean) }
                    let inv = 1 / T.sqrt(variance / T(d) + epsilon)
                    inverseStd[r] = inv
                    for j in 0..<d {
                        let v = (row[j] - mean) * inv
                        ns[r * d + j] = v
                        ys[r * d + j] = v * w[j] + b[j]
                    }
                }
            }
        }
    }
    return Variable(Tensor(unchecked: x.shape, y), operation: "layernorm", parents: [x, weight, bias]) { g in
        var dx = [T](repeating: 0, count: rows * d), dw = [T](repeating: 0, count: d), db = dw
        g.storage.withUnsafeBufferPointer { gs in
            for r in 0..<rows {
                // dx = (1/σ)(ĝ − mean(ĝ) − n̂·mean(ĝ·n̂)) with ĝ = g ⊙ γ.
                var sum: T = 0, dot: T = 0
                for j in 0..<d {
                    let gh = gs[r * d + j] * w[j]
                    sum += gh
                    dot += gh * normalized[r * d + j]
                    dw[j] += gs[r * d + j] * normalized[r * d + j]
                    db[j] += gs[r * d + j]
                }
                let inv = inverseStd[r], meanG = sum / T(d), meanDot = dot / T(d)
                for j in 0..<d {
                    dx[r * d + j] = inv * (gs[r * d + j] * w[j] - meanG - normalized[r * d + j] * meanDot)
                }
            }
        }
        return [Tensor(unchecked: x.shape, dx), Tensor(unchecked: [d], dw), Tensor(unchecked: [d], db)]
    }
}
