extension Tensor {
    /// The axes reordered: output axis `i` is input axis `order[i]`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func permuted(_ order: [Int]) throws -> Tensor {
        guard order.sorted() == Array(0..<rank) else { throw TensorError.axis(order.first ?? 0, rank: rank) }
        if order == Array(0..<rank) { return self }
        let newShape = order.map { shape[$0] }
        let own = strides
        let readStrides = order.map { own[$0] }
        // When the last axis stays last, whole rows move: copy runs instead of elements.
        if order.last == rank - 1, let run = shape.last, run > 1 {
            let outerShape = Array(newShape.dropLast())
            let outerStrides = Array(readStrides.dropLast())
            let out = try storage.withUnsafeBufferPointer { pa in
                try [T](uninitializedCount: count) { po in
                    Broadcast.forEach(outerShape + [1], outerStrides + [0], outerStrides + [0]) { o, i, _ in
                        (po.baseAddress! + o * run).initialize(from: pa.baseAddress! + i, count: run)
                    }
                }
            }
            return Tensor(unchecked: newShape, out)
        }
        let out = try storage.withUnsafeBufferPointer { pa in
            try [T](uninitializedCount: count) { po in
                Broadcast.forEach(newShape, readStrides, readStrides) { o, i, _ in po[o] = pa[i] }
            }
        }
        return Tensor(unchecked: newShape, out)
    }
}
