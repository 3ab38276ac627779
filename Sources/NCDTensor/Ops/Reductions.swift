/// Sum, mean and max over axes; their backwards stretch the gradient back over the axes.
extension Variable {
    public func sum(axes: [Int], keepingAxes: Bool = false) throws -> Variable {
        let y = try value.sum(axes: axes, keepingAxes: keepingAxes)
        let kept = value.reducedShape(try value.checkedAxes(axes), keepingAxes: true)
        return Variable(y, operation: "sum", parents: [self]) { [shape = value.shape] g in
            [try g.reshaped(kept).expanded(to: shape)]
        }
    }

    public func mean(axes: [Int], keepingAxes: Bool = false) throws -> Variable {
        let n = try value.checkedAxes(axes).reduce(1) { $0 * value.shape[$1] }
        return try sum(axes: axes, keepingAxes: keepingAxes).scaled(by: 1 / T(n))
    }

    /// The maximum; like `torch.amax`, ties share the gradient evenly.
    public func max(axes: [Int], keepingAxes: Bool = false) throws -> Variable {
        let kept = try value.max(axes: axes, keepingAxes: true)
        let y = try kept.reshaped(value.reducedShape(try value.checkedAxes(axes), keepingAxes: keepingAxes))
        return Variable(y, operation: "max", parents: [self]) { [x = value] g in
            let mask = try Tensor.zip(x, kept) { $0 == $1 ? 1 : 0 }
            let ties = try mask.sum(axes: axes, keepingAxes: true)
            let share = try Tensor.zip(try g.reshaped(kept.shape), ties, /)
            return [try Tensor.zip(mask, share, *)]
        }
    }

    /// Sum of every element, as a scalar.
    public func sumAll() throws -> Variable {
        try sum(axes: Array(0..<value.rank)).reshapedVariable([])
    }
}
