import CKernels

/// Softmax and log-softmax along one axis, computed stably (the maximum subtracted).
/// Float32 rows along the last axis run in the C kernels (vector code for the CPU at hand);
/// other lines, strided or float64, in the loops here.
extension Variable {
    public func softmax(axis: Int) throws -> Variable {
        let y = try Self.softmaxValue(value, axis: axis)
        // dx = y ⊙ (dy − ⟨dy, y⟩) along the axis, fused per row.
        return Variable(y, operation: "softmax", parents: [self]) { g in
            let dx = try g.storage.withUnsafeBufferPointer { gs in
                try y.storage.withUnsafeBufferPointer { ys in
                    try [T](uninitializedCount: gs.count) { dx in
                        let fused = Self.lastAxisFloatRows(y.shape, axis: axis) { start, rows, n in
                            ncd_softmax_backward_rows_f32(
                                floats(ys, start), floats(gs, start), floats(dx, start), rows, n)
                        }
                        if fused { return }
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
    /// sum, scale.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func softmaxValue(_ x: Tensor<T>, axis: Int) throws -> Tensor<T> {
        let storage = try x.storage.withUnsafeBufferPointer { xs in
            try [T](uninitializedCount: xs.count) { ys in
                let fused = lastAxisFloatRows(x.shape, axis: axis) { start, rows, n in
                    ncd_softmax_rows_f32(floats(xs, start), floats(ys, start), rows, n)
                }
                if fused { return }
                try rows(x.shape, axis: axis) { base, n, stride in
                    let (x, y) = (xs.baseAddress! + base, ys.baseAddress! + base)
                    let top = RowFolds.max(n) { x[$0 * stride] }
                    for r in 0..<n { y[r * stride] = T.exp(x[r * stride] - top) }
                    let scale = 1 / RowFolds.sum(n) { y[$0 * stride] }
                    for r in 0..<n { y[r * stride] *= scale }
                }
            }
        }
        return Tensor(unchecked: x.shape, storage)
    }

    /// Calls `body(start, n, stride)` for every line along `axis`: the elements
    /// start, start + stride, … (n of them).
    @inline(__always)
    static func rows(_ shape: [Int], axis: Int, _ body: (Int, Int, Int) -> Void) throws {
        guard axis >= 0, axis < shape.count else { throw TensorError.axis(axis, rank: shape.count) }
        let outer = shape[..<axis].reduce(1, *)
        let n = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        guard n > 0 else { return }
        Parallel.forEachChunk(outer * inner, costPerItem: n * 4) { range in
            for line in range { body((line / inner) * n * inner + line % inner, n, inner) }
        }
    }

    /// For float32 lines along the last axis, calls `kernel(first element, rows, n)` on
    /// chunks of whole rows, one chunk per thread, and returns true; otherwise returns false.
    @inline(__always)
    static func lastAxisFloatRows(_ shape: [Int], axis: Int, _ kernel: (Int, Int, Int) -> Void) -> Bool {
        guard T.self == Float.self, axis == shape.count - 1, let n = shape.last, n > 0 else { return false }
        Parallel.forEachChunk(shape.reduce(1, *) / n, costPerItem: n * 4) { lines in
            kernel(lines.lowerBound * n, lines.count, n)
        }
        return true
    }
}

/// Element `offset` of a buffer known to hold `Float`s, as the C kernels take it.
@inline(__always)
private func floats<T>(_ buffer: UnsafeBufferPointer<T>, _ offset: Int) -> UnsafePointer<Float> {
    UnsafeRawPointer(buffer.baseAddress! + offset).assumingMemoryBound(to: Float.self)
}

@inline(__always)
private func floats<T>(_ buffer: UnsafeMutableBufferPointer<T>, _ offset: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(buffer.baseAddress! + offset).assumingMemoryBound(to: Float.self)
}
