/// RMS norm and batch norm, composed from differentiable primitives (so their gradients
/// come from the primitives' tested backwards).
extension Variable {
    /// x / √(mean(x², last axis) + ε) ⊙ γ.
    public func rmsNorm(weight: Variable, epsilon: T = 1e-6) throws -> Variable {
        let meanSquare = try square().mean(axes: [rank - 1], keepingAxes: true)
        let denominator = try (meanSquare + Variable(Tensor(scalar: epsilon))).sqrt()
        return try (try self / denominator) * weight
    }
}

/// Batch normalisation over every axis but the feature axis, with learned γ, β and running
/// statistics, as `torch.nn.BatchNorm`: training normalises with the batch's (biased)
/// variance and updates the running mean and (unbiased) variance; evaluation uses them.
public final class BatchNorm<T: TensorElement> {
    public let weight: Variable<T>
    public let bias: Variable<T>
    public private(set) var runningMean: Tensor<T>
    public private(set) var runningVariance: Tensor<T>
    public var momentum: T
    public var epsilon: T
    public let featureAxis: Int

    public convenience init(features: Int, featureAxis: Int = 1, momentum: T = 0.1, epsilon: T = 1e-5) {
        self.init(
            weight: Variable(Tensor(shape: [features], repeating: 1), requiresGrad: true),
            bias: Variable(Tensor(shape: [features]), requiresGrad: true),
            runningMean: Tensor(shape: [features]), runningVariance: Tensor(shape: [features], repeating: 1),
            featureAxis: featureAxis, momentum: momentum, epsilon: epsilon)
    }

    /// A batch norm over given affine parameters and running statistics (loaded weights,
    /// or a checkpoint's); read `runningMean` and `runningVariance` back after training.
    public init(
        weight: Variable<T>, bias: Variable<T>, runningMean: Tensor<T>, runningVariance: Tensor<T>,
        featureAxis: Int, momentum: T = 0.1, epsilon: T = 1e-5
    ) {
        self.weight = weight
        self.bias = bias
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        self.momentum = momentum
        self.epsilon = epsilon
        self.featureAxis = featureAxis
    }

    public func callAsFunction(_ x: Variable<T>, training: Bool) throws -> Variable<T> {
        let rank = x.value.rank
        guard featureAxis < rank, x.shape[featureAxis] == weight.shape[0] else {
            throw TensorError.broadcast(x.shape, weight.shape)
        }
        var broadcastShape = [Int](repeating: 1, count: rank)
        broadcastShape[featureAxis] = weight.shape[0]
        let axes = (0..<rank).filter { $0 != featureAxis }
        let mean: Variable<T>
        let variance: Variable<T>
        if training {
            let count = axes.reduce(1) { $0 * x.shape[$1] }
            mean = try x.mean(axes: axes, keepingAxes: true)
            variance = try (try x - mean).square().mean(axes: axes, keepingAxes: true)
            let unbiased = count > 1 ? T(count) / T(count - 1) : 1
            for j in 0..<weight.shape[0] {
                runningMean.storage[j] = (1 - momentum) * runningMean.storage[j] + momentum * mean.value.storage[j]
                runningVariance.storage[j] =
                    (1 - momentum) * runningVariance.storage[j] + momentum * variance.value.storage[j] * unbiased
            }
        } else {
            mean = Variable(try runningMean.reshaped(broadcastShape))
            variance = Variable(try runningVariance.reshaped(broadcastShape))
        }
        let normalized = try (try x - mean) / (try variance + Variable(Tensor(scalar: epsilon))).sqrt()
        return try normalized * weight.reshapedVariable(broadcastShape) + bias.reshapedVariable(broadcastShape)
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
