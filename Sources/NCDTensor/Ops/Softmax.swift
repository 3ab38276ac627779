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

    /// Folds a contiguous run with eight independent partial results, then folds those.
    @inline(__always)
    static func reduce8(_ x: UnsafeMutablePointer<T>, _ n: Int, initial: T, _ f: (T, T) -> T) -> T {
        var p0 = initial, p1 = initial, p2 = initial, p3 = initial, p4 = initial, p5 = initial, p6 = initial, p7 = initial
        var i = 0
        while i + 8 <= n {
            p0 = f(p0, x[i]); p1 = f(p1, x[i + 1]); p2 = f(p2, x[i + 2]); p3 = f(p3, x[i + 3])
            p4 = f(p4, x[i + 4]); p5 = f(p5, x[i + 5]); p6 = f(p6, x[i + 6]); p7 = f(p7, x[i + 7])
            i += 8
        }
        var result = f(f(f(p0, p1), f(p2, p3)), f(f(p4, p5), f(p6, p7)))
        while i < n {
            result = f(result, x[i])
            i += 1
        }
        return result
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
                var total: T = 0
                if stride == 1 {
                    // A contiguous row: maximum, shift, exponentials without library calls,
                    // sum. The reductions keep eight partials so additions do not wait on
                    // each other.
                    let row = y.baseAddress! + base
                    let top = Self.reduce8(row, n, initial: -T.infinity) { Swift.max($0, $1) }
                    for r in 0..<n { row[r] -= top }
                    T.exponentiate(row, count: n)
                    total = Self.reduce8(row, n, initial: 0, +)
                } else {
                    var top = -T.infinity
                    for r in 0..<n { top = Swift.max(top, y[base + r * stride]) }
                    for r in 0..<n {
                        let e = T.exp(y[base + r * stride] - top)
                        y[base + r * stride] = e
                        total += e
                    }
                }
                let scale = 1 / total
                if stride == 1 {
                    let row = y.baseAddress! + base
                    for r in 0..<n { row[r] *= scale }
                } else {
                    for r in 0..<n { y[base + r * stride] *= scale }
                }
            }
        }
        return Tensor(unchecked: x.shape, storage)
    }
}
