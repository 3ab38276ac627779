/// The diagonal of two axes: forward and backward side by side.
extension Variable {
    /// The diagonal of the last two axes, which are of one size n: y[…, i] = x[…, i, i]
    /// (an einsum label written twice). The backward puts each gradient back on the
    /// diagonal and zeros elsewhere.
    public func diagonal() throws -> Variable {
        guard rank >= 2, shape[rank - 1] == shape[rank - 2] else {
            throw TensorError.contraction("a diagonal needs its last two axes of one size, not \(shape)")
        }
        let n = shape[rank - 1]
        let blocks = n == 0 ? 0 : value.count / (n * n)
        let y = try [T](uninitializedCount: blocks * n) { y in
            value.storage.withUnsafeBufferPointer { x in
                for b in 0..<blocks { for i in 0..<n { y[b * n + i] = x[(b * n + i) * n + i] } }
            }
        }
        let inputShape = shape
        return Variable(Tensor(unchecked: Array(shape.dropLast()), y), operation: "diagonal", parents: [self]) { g in
            var dx = try [T](zeros: blocks * n * n)
            g.storage.withUnsafeBufferPointer { gs in
                for b in 0..<blocks { for i in 0..<n { dx[(b * n + i) * n + i] = gs[b * n + i] } }
            }
            return [Tensor(unchecked: inputShape, dx)]
        }
    }
}
