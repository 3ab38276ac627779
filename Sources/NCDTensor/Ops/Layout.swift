/// Reordering and reshaping: their backwards apply the inverse.
extension Variable {
    public func permuted(_ order: [Int]) throws -> Variable {
        let y = try value.permuted(order)
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Variable(y, operation: "permute", parents: [self]) { g in [try g.permuted(inverse)] }
    }

    /// The same elements under another shape of equal count; itself when the shape is this.
    public func reshapedVariable(_ shape: [Int]) throws -> Variable {
        if shape == value.shape { return self }
        let y = try value.reshaped(shape)
        return Variable(y, operation: "reshape", parents: [self]) { [old = value.shape] g in [try g.reshaped(old)] }
    }
}
