import CKernels

/// Softmax and log-softmax along one axis, computed stably (the maximum subtracted).
extension Variable {
    public func softmax(axis: Int) throws -> Variable {
        let y = try Self.softmaxValue(value, axis: axis)
        // dx = y ⊙ (dy − ⟨dy, y⟩) along the axis, fused per row.
        return Variable(y, operation: "softmax", parents: [self]) { g in
            let dx = try g.storage.withUnsafeBufferPointer { gs in
                try y.storage.withUnsafeBufferPointer { ys in
                    try [T](uninitializedCount: gs.count) { dx in
                        try Self.rows(y.shape, axis: axis) { base, n, stride in
                            let (g, y, d) = (gs.baseAddress! + base, ys.baseAddress! + base, dx.baseAddress! + base)
                            let dot = RowFolds.sum(n) { g[$0 * stride] * y[$0 * stride] }
                            for r in 0..<n { d[r * stride] = y[r * stride] * (g[r * stride] - dot) }
                        }
                    }
                }
            }
            return [Tensor(unchecked: y.shape, dx)]
        }
    }

    /// Calls `body(start, n, stride)` for every line along `axis`: the elements
    /// start, start + stride, … (n of them).
    @inline(__always)
    static func rows(_ shape: [Int], axis: Int, _ body: (Int, Int, Int) -> Void) throws {
        guard axis >= 0, axis < shape.count else { throw TensorError.axis(axis, rank: shape.count) }
        let outer = shape[..<axis].reduce(1, *), n = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        guard n > 0 else { return }
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

    /// Softmax along an axis in one pass per line: maximum, shifted exponentials and their
    /// sum, scale. Float rows along the last axis go to the vector kernel a chunk at a time.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func softmaxValue(_ x: Tensor<T>, axis: Int) throws -> Tensor<T> {
        let storage = try x.storage.withUnsafeBufferPointer { xs in
            try [T](uninitializedCount: xs.count) { ys in
                if T.self == Float.self, axis == x.rank - 1, let n = x.shape.last, n > 0 {
                    let (from, to) = (UnsafeRawPointer(xs.baseAddress!).assumingMemoryBound(to: Float.self),
                                      UnsafeMutableRawPointer(ys.baseAddress!).assumingMemoryBound(to: Float.self))
                    Parallel.forEachChunk(xs.count / n, costPerItem: n * 4) { lines in
                        ncd_softmax_rows_f32(from + lines.lowerBound * n, to + lines.lowerBound * n, lines.count, n)
                    }
                    return
                }
                try rows(x.shape, axis: axis) { base, n, stride in
                    let (x, y) = (xs.baseAddress! + base, ys.baseAddress! + base)
                    let top = RowFolds.fold(n, initial: -T.infinity, { Swift.max($0, $1) }) { x[$0 * stride] }
                    for r in 0..<n { y[r * stride] = T.exp(x[r * stride] - top) }
                    let scale = 1 / RowFolds.sum(n) { y[$0 * stride] }
                    for r in 0..<n { y[r * stride] *= scale }
                }
            }
        }
        return Tensor(unchecked: x.shape, storage)
    }
}
