/// Softmax and log-softmax along one axis, computed stably (the maximum subtracted).
extension Variable {
    public func softmax(axis: Int) throws -> Variable {
        let y = try Self.softmaxValue(value, axis: axis)
        // dx = y ⊙ (dy − ⟨dy, y⟩) along the axis.
        return Variable(y, operation: "softmax", parents: [self]) { g in
            let dot = try Tensor.zip(g, y, *).sum(axes: [axis], keepingAxes: true)
            return [try Tensor.zip(try Tensor.zip(g, dot, -), y, *)]
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

    static func softmaxValue(_ x: Tensor<T>, axis: Int) throws -> Tensor<T> {
        let e = try Tensor.zip(x, try x.max(axes: [axis], keepingAxes: true), -).map(T.exp)
        return try Tensor.zip(e, try e.sum(axes: [axis], keepingAxes: true), /)
    }
}
