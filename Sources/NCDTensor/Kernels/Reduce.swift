extension Tensor {
    /// Normalises axes (negative counts from the end) and checks them.
    func checkedAxes(_ axes: [Int]) throws -> [Int] {
        try Set(
            axes.map { a in
                let axis = a < 0 ? a + rank : a
                guard axis >= 0, axis < rank else { throw TensorError.axis(a, rank: rank) }
                return axis
            }
        ).sorted()
    }

    /// The shape after reducing `axes`: kept as size 1, or removed.
    func reducedShape(_ axes: [Int], keepingAxes: Bool) -> [Int] {
        keepingAxes
            ? shape.indices.map { axes.contains($0) ? 1 : shape[$0] }
            : shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
    }

    /// Folds the elements over `axes` with `combine`, starting from `initial`.
    @inline(__always)
    func reduce(axes: [Int], keepingAxes: Bool, initial: T, _ combine: (T, T) -> T) throws -> Tensor {
        let axes = try checkedAxes(axes)
        let kept = reducedShape(axes, keepingAxes: true)
        // Fast path: the reduced axes form one contiguous block, so the data is
        // [outer, n, inner] and the fold runs over plain strided rows.
        if let first = axes.first, axes == Array(first..<(first + axes.count)) {
            let outer = shape[..<first].reduce(1, *)
            let n = axes.reduce(1) { $0 * shape[$1] }
            let inner = shape[(first + axes.count)...].reduce(1, *)
            var out = try [T](filled: initial, count: outer * inner)
            storage.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    for a in 0..<outer {
                        let base = a * n * inner
                        if inner == 1 {
                            var acc = initial
                            for r in 0..<n { acc = combine(acc, x[base + r]) }
                            o[a] = acc
                        } else {
                            for r in 0..<n {
                                let row = base + r * inner
                                for i in 0..<inner { o[a * inner + i] = combine(o[a * inner + i], x[row + i]) }
                            }
                        }
                    }
                }
            }
            return Tensor(unchecked: reducedShape(axes, keepingAxes: keepingAxes), out)
        }
        var out = try [T](filled: initial, count: kept.reduce(1, *))
        let so = Broadcast.strides(of: kept, broadcastTo: shape)
        let zeros = [Int](repeating: 0, count: shape.count)
        storage.withUnsafeBufferPointer { pa in
            out.withUnsafeMutableBufferPointer { po in
                Broadcast.forEach(shape, zeros, so) { i, _, o in po[o] = combine(po[o], pa[i]) }
            }
        }
        return Tensor(unchecked: reducedShape(axes, keepingAxes: keepingAxes), out)
    }

    /// Sum over axes.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func sum(axes: [Int], keepingAxes: Bool = false) throws -> Tensor {
        try reduce(axes: axes, keepingAxes: keepingAxes, initial: 0, +)
    }

    /// Maximum over axes.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func max(axes: [Int], keepingAxes: Bool = false) throws -> Tensor {
        try reduce(axes: axes, keepingAxes: keepingAxes, initial: -T.infinity) { Swift.max($0, $1) }
    }
}
