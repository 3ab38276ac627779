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
        var out = [T](repeating: 0, count: count)
        storage.withUnsafeBufferPointer { pa in
            out.withUnsafeMutableBufferPointer { po in
                Broadcast.forEach(newShape, readStrides, readStrides) { o, i, _ in po[o] = pa[i] }
            }
        }
        return Tensor(unchecked: newShape, out)
    }
}
