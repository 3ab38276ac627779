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
              inverseStd.withUnsafeMutableBufferPointer { inverseStd in
               Parallel.forEachChunk(rows, costPerItem: d * 4) { chunk in
                for r in chunk {
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
        }
    }
    return Variable(Tensor(unchecked: x.shape, y), operation: "layernorm", parents: [x, weight, bias]) { g in
        var dx = [T](repeating: 0, count: rows * d)
        // γ and β gradients sum over rows: one partial per chunk ([chunk][γ | β]), added in
        // chunk order so the result does not depend on timing.
        let chunks = Parallel.chunkCount(rows, costPerItem: d * 6)
        var partials = [T](repeating: 0, count: chunks * 2 * d)
        g.storage.withUnsafeBufferPointer { gs in
            dx.withUnsafeMutableBufferPointer { dxs in
                normalized.withUnsafeBufferPointer { ns in
                    partials.withUnsafeMutableBufferPointer { partial in
                        Parallel.forEachChunk(rows, costPerItem: d * 6) { chunk in
                            let own = partial.baseAddress! + (chunk.lowerBound * chunks / Swift.max(rows, 1)) * 2 * d
                            for r in chunk {
                                // dx = (1/σ)(ĝ − mean(ĝ) − n̂·mean(ĝ·n̂)) with ĝ = g ⊙ γ.
                                var sum: T = 0, dot: T = 0
                                for j in 0..<d {
                                    let gh = gs[r * d + j] * w[j]
                                    sum += gh
                                    dot += gh * ns[r * d + j]
                                    own[j] += gs[r * d + j] * ns[r * d + j]
                                    own[d + j] += gs[r * d + j]
                                }
                                let inv = inverseStd[r], meanG = sum / T(d), meanDot = dot / T(d)
                                for j in 0..<d {
                                    dxs[r * d + j] = inv * (gs[r * d + j] * w[j] - meanG - ns[r * d + j] * meanDot)
                                }
                            }
                        }
                    }
                }
            }
        }
        var dw = [T](repeating: 0, count: d), db = dw
        for c in 0..<chunks { for j in 0..<d { dw[j] += partials[c * 2 * d + j]; db[j] += partials[c * 2 * d + d + j] } }
        return [Tensor(unchecked: x.shape, dx), Tensor(unchecked: [d], dw), Tensor(unchecked: [d], db)]
    }
}
