/// y = x·Wᵀ + b over the last axis of x, as `torch.nn.functional.linear`: one gemm forward,
/// two backward (dx = g·W, dW = gᵀ·x), with no transposes materialised.
public func linear<T>(_ x: Variable<T>, weight: Variable<T>, bias: Variable<T>?) throws -> Variable<T> {
    let (out, inn) = (weight.shape[0], weight.shape[1])
    guard weight.value.rank == 2, x.value.rank >= 1, x.shape.last == inn else {
        throw TensorError.contraction(
            "linear: input \(x.shape) does not end in the weight's \(inn) (weight \(weight.shape))")
    }
    if let bias, bias.shape != [out] { throw TensorError.broadcast(bias.shape, [out]) }
    let rows = x.value.count / Swift.max(inn, 1)
    let y = try [T](uninitializedCount: rows * out) { Y in
        guard let bias, rows > 0, out > 0, inn > 0 else {
            gemm(x.value.storage, weight.value.storage, into: Y, m: rows, n: out, k: inn, transposeB: true)
            if let bias {
                bias.value.storage.withUnsafeBufferPointer { B in
                    for r in 0..<rows { (Y.baseAddress! + r * out).update(from: B.baseAddress!, count: out) }
                }
            }
            return
        }
        // Each row starts as the bias, copied by the thread whose piece of the gemm then
        // accumulates into that block.
        x.value.storage.withUnsafeBufferPointer { X in
            weight.value.storage.withUnsafeBufferPointer { W in
                bias.value.storage.withUnsafeBufferPointer { B in
                    T.gemm(
                        transposeA: false, transposeB: true, m: rows, n: out, k: inn, alpha: 1, a: X.baseAddress!,
                        lda: inn,
                        b: W.baseAddress!, ldb: inn, beta: 1, c: Y.baseAddress!, ldc: out
                    ) { block, blockRows, columns in
                        let first = (block - Y.baseAddress!) % out
                        for r in 0..<blockRows {
                            (block + r * out).initialize(from: B.baseAddress! + first, count: columns)
                        }
                    }
                }
            }
        }
    }
    let shape = Array(x.shape.dropLast()) + [out]
    let parents = [x, weight] + (bias.map { [$0] } ?? [])
    return Variable(Tensor(unchecked: shape, y), operation: "linear", parents: parents) { g in
        var dx: Tensor<T>?
        var dw: Tensor<T>?
        var db: Tensor<T>?
        if x.requiresGrad {
            dx = Tensor(
                unchecked: x.shape,
                try [T](uninitializedCount: rows * inn) { D in
                    gemm(g.storage, weight.value.storage, into: D, m: rows, n: inn, k: out)
                })
        }
        if weight.requiresGrad {
            dw = Tensor(
                unchecked: weight.shape,
                try [T](uninitializedCount: out * inn) { D in
                    gemm(g.storage, x.value.storage, into: D, m: out, n: inn, k: rows, transposeA: true)
                })
        }
        if let bias, bias.requiresGrad {
            db = Tensor(unchecked: [out], try columnSums(g.storage, rows: rows, columns: out))
        }
        return [dx, dw] + (bias != nil ? [db] : [])
    }
}

/// The sums of the columns of a row-major [rows, columns] matrix, each row added in turn
/// (the inner loop over columns is independent, so it vectorises), in parallel over rows.
func columnSums<T: TensorElement>(_ matrix: [T], rows: Int, columns: Int) throws -> [T] {
    try matrix.withUnsafeBufferPointer { m in
        try Parallel.sumOfChunks(rows, costPerItem: columns, size: columns) { _, chunk, sum in
            for r in chunk {
                let row = m.baseAddress! + r * columns
                for c in 0..<columns { sum[c] += row[c] }
            }
        }
    }
}

/// C (m×n) = op(A)·op(B), or C += … with `accumulate`, on row-major arrays. Without
/// `accumulate`, C's previous contents are never read, so it may be uninitialised.
func gemm<T: TensorElement>(
    _ a: [T], _ b: [T], into c: UnsafeMutableBufferPointer<T>, m: Int, n: Int, k: Int,
    transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false
) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        if !accumulate { c.initialize(repeating: 0) }
        return
    }
    a.withUnsafeBufferPointer { A in
        b.withUnsafeBufferPointer { B in
            T.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                a: A.baseAddress!, lda: transposeA ? m : k, b: B.baseAddress!, ldb: transposeB ? k : n,
                beta: accumulate ? 1 : 0, c: c.baseAddress!, ldc: n)
        }
    }
}
