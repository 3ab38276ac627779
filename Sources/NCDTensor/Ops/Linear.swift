/// y = x·Wᵀ + b over the last axis of x, as `torch.nn.functional.linear`: one gemm forward,
/// two backward (dx = g·W, dW = gᵀ·x), with no transposes materialised.
public func linear<T>(_ x: Variable<T>, weight: Variable<T>, bias: Variable<T>?) throws -> Variable<T> {
    let (out, inn) = (weight.shape[0], weight.shape[1])
    guard weight.value.rank == 2, x.value.rank >= 1, x.shape.last == inn else {
        throw TensorError.contraction("linear: input \(x.shape) does not end in the weight's \(inn) (weight \(weight.shape))")
    }
    if let bias, bias.shape != [out] { throw TensorError.broadcast(bias.shape, [out]) }
    let rows = x.value.count / Swift.max(inn, 1)
    let y = [T](uninitializedCount: rows * out) { Y in
        if let bias {
            // Each row starts as the bias (one copy per row); the gemm then accumulates into it.
            bias.value.storage.withUnsafeBufferPointer { B in
                for r in 0..<rows { (Y.baseAddress! + r * out).initialize(from: B.baseAddress!, count: out) }
            }
        }
        gemm(x.value.storage, weight.value.storage, into: Y, m: rows, n: out, k: inn, transposeB: true, accumulate: bias != nil)
    }
    let shape = Array(x.shape.dropLast()) + [out]
    let parents = [x, weight] + (bias.map { [$0] } ?? [])
    return Variable(Tensor(unchecked: shape, y), operation: "linear", parents: parents) { g in
        var dx: Tensor<T>?, dw: Tensor<T>?, db: Tensor<T>?
        if x.requiresGrad {
            dx = Tensor(unchecked: x.shape, [T](uninitializedCount: rows * inn) { D in
                gemm(g.storage, weight.value.storage, into: D, m: rows, n: inn, k: out)
            })
        }
        if weight.requiresGrad {
            dw = Tensor(unchecked: weight.shape, [T](uninitializedCount: out * inn) { D in
                gemm(g.storage, x.value.storage, into: D, m: out, n: inn, k: rows, transposeA: true)
            })
        }
        if let bias, bias.requiresGrad {
            var d = [T](repeating: 0, count: out)
            g.storage.withUnsafeBufferPointer { gs in
                d.withUnsafeMutableBufferPointer { D in
                    // Row by row: the inner loop over outputs is independent, so it vectorises.
                    for r in 0..<rows {
                        let row = gs.baseAddress! + r * out
                        for o in 0..<out { D[o] += row[o] }
                    }
                }
            }
            db = Tensor(unchecked: [out], d)
        }
        return [dx, dw] + (bias != nil ? [db] : [])
    }
}

/// C (m×n) = op(A)·op(B), or C += … with `accumulate`, on row-major arrays. Without
/// `accumulate`, C's previous contents are never read, so it may be uninitialised.
func gemm<T: TensorElement>(_ a: [T], _ b: [T], into c: UnsafeMutableBufferPointer<T>, m: Int, n: Int, k: Int,
                            transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        if !accumulate { c.initialize(repeating: 0) }
        return
    }
    a.withUnsafeBufferPointer { A in
        b.withUnsafeBufferPointer { B in
            T.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                   a: A.baseAddress!, lda: transposeA ? m : k, b: B.baseAddress!, ldb: transposeB ? k : n,
                   beta: accumulate ? 1 : 0, c: c.baseAddress!, ldc: n)
        }
    }
}
