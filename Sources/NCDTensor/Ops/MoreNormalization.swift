/// RMS norm, composed from differentiable primitives (so its gradient comes from the
/// primitives' tested backwards).
extension Variable {
    /// x / √(mean(x², last axis) + ε) ⊙ γ.
    public func rmsNorm(weight: Variable, epsilon: T = 1e-6) throws -> Variable {
        let meanSquare = try square().mean(axes: [rank - 1], keepingAxes: true)
        let denominator = try (meanSquare + Variable(Tensor(scalar: epsilon))).sqrt()
        return try (try self / denominator) * weight
    }
}

extension Variable {
    /// Dropout in training: each element kept with probability 1 − p and scaled by 1/(1 − p),
    /// from a seeded generator so runs repeat. The backward applies the same mask.
    public func dropout(probability p: T, generator: inout SplitMix64) throws -> Variable {
        guard p >= 0, p < 1 else { throw TensorError.contraction("dropout probability \(p) is not in [0, 1)") }
        let scale = 1 / (1 - p)
        let mask = Tensor<T>(unchecked: shape, (0..<value.count).map { _ in T(generator.nextUnit()) >= p ? scale : 0 })
        return Variable(try Tensor.zip(value, mask, *), operation: "dropout", parents: [self]) { g in
            [try Tensor.zip(g, mask, *)]
        }
    }

    /// This variable, or an error naming the operation that made it, if any element is NaN
    /// or infinite (for `--check-numerics`).
    public func checkedFinite() throws -> Variable {
        if let bad = value.firstNonFinite { throw TensorError.nonFinite(operation: operation, value: bad) }
        return self
    }
}
