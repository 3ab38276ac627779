/// Softmax and log-softmax along one axis, computed stably (the maximum subtracted).
extension Variable {
    public func softmax(axis: Int) throws -> Variable {
        let y = try Self.softmaxValue(value, axis: axis)
        // dx = y ⊙ (dy − ⟨dy, y⟩) along the axis, fused per row.
        return Variable(y, operation: "softmax", parents: [self]) { g in
            var storage = g.storage
            try storage.withUnsafeMutableBufferPointer { dx in
                try y.storage.withUnsafeBufferPointer { ys in
                    try Self.rows(y.shape, axis: axis) { base, n, stride in
                        var dot: T = 0
                        for r in 0..<n { dot += dx[base + r * stride] * ys[base + r * stride] }
                        for r in 0..<n { dx[base + r * stride] = ys[base + r * stride] * (dx[base + r * stride] - dot) }
                    }
                }
            }
            return [Tensor(unchecked: y.shape, storage)]
        }
    }

    /// Calls `body(start, n, stride)` for every line along `axis`: the elements
    /// start, start + stride, … (n of them).
    @inline(__always)
    static func rows(_ shape: [Int], axis: Int, _ body: (Int, Int, Int) -> Void) throws {
        guard axis >= 0, axis < shape.count else { throw TensorError.axis(axis, rank: shape.count) }
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        Parallel.forEachChunk(outer * inner, costPerItem: n * 4) { range in
            for line in range { body((line / inner) * n * inner + line % inner, n, inner) }
        }
    }

    public func logSoftmax(axis: Int) throws -> Variable {
        let shifted = try Tensor.zip(value, try value.max(axes: [axis], keepingAxes: true), -)
        let logSum = try shifted.map(T.exp).sum(axes: [axis], keepingAxes: true).map(T.log)
        let y = try Tensor.zip(shifted, logSum, -)
        // dx = dy − softmax ⊙ Σ dy.
        return Variable(y, operation: "log_softmax", parents: [self]) { g in
            let total = try g.sum(axes: [axis], keepingAxes: true)
            return [try Tensor.zip(g, try Tensor.zip(y.map(T.exp), total, *), -)]
        }
    }

    /// Softmax along an axis in one pass per line: max, exponentials and their sum, scale.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func softmaxValue(_ x: Tensor<T>, axis: Int) throws -> Tensor<T> {
        var storage = x.storage
        try storage.withUnsafeMutableBufferPointer { y in
            try rows(x.shape, axis: axis) { base, n, stride in
                var top = -T.infinity
                for r in 0..<n { top = Swift.max(top, y[base + r * stride]) }
                var total: T = 0
                if stride == 1 {
                    // A contiguous row: shift, then exponentiate without library calls.
                    let row = y.baseAddress! + base
                    for r in 0..<n { row[r] -= top }
                    T.exponentiate(row, count: n)
                    for r in 0..<n { total += row[r] }
                } else {
                    for r in 0..<n {
                        let e = T.exp(y[base + r * stride] - top)
                        y[base + r * stride] = e
                        total += e
                    }
                }
                let scale = 1 / total
                for r in 0..<n { y[base + r * stride] *= scale }
            }
        }
        return Tensor(unchecked: x.shape, storage)
    }
}
