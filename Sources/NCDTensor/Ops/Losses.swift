/// Losses, averaged to a scalar.
extension Variable {
    /// Cross-entropy of logits (classes along `axis`) against class indices, one per
    /// position of the other axes, averaged like `torch.nn.functional.cross_entropy`.
    public func crossEntropy(classAxis axis: Int, targets: [Int]) throws -> Variable {
        let logp = try Self.logSoftmaxValue(value, axis: axis)
        let moved = try logp.permuted(Array(0..<value.rank).filter { $0 != axis } + [axis])
        let classes = value.shape[axis]
        let n = value.count / Swift.max(classes, 1)
        guard targets.count == n else { throw TensorError.elementCount(shape: [n], count: targets.count) }
        var total: T = 0
        for (row, t) in targets.enumerated() {
            guard t >= 0, t < classes else { throw TensorError.axis(t, rank: classes) }
            total -= moved.storage[row * classes + t]
        }
        let loss = Tensor(scalar: total / T(n))
        let rank = value.rank
        // d/dlogits = (softmax − onehot) / n.
        return Variable(loss, operation: "cross_entropy", parents: [self]) { g in
            var d = try moved.map(T.exp)
            for (row, t) in targets.enumerated() { d.storage[row * classes + t] -= 1 }
            let scale = g.storage[0] / T(n)
            var order = [Int](repeating: 0, count: rank)
            for (i, a) in (Array(0..<rank).filter { $0 != axis } + [axis]).enumerated() { order[a] = i }
            return [try d.scaled(by: scale).permuted(order)]
        }
    }

    /// Mean squared error against a target of the same shape.
    public func meanSquaredError(_ target: Variable) throws -> Variable {
        try (try self - target).square().mean(axes: Array(0..<value.rank)).reshapedVariable([])
    }

    static func logSoftmaxValue(_ x: Tensor<T>, axis: Int) throws -> Tensor<T> {
        let shifted = try Tensor.zip(x, try x.max(axes: [axis], keepingAxes: true), -)
        return try Tensor.zip(shifted, try shifted.map(T.exp).sum(axes: [axis], keepingAxes: true).map(T.log), -)
    }
}
