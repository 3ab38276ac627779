/// Batch normalisation over every axis but the feature axis, with learned γ, β and running
/// statistics, as `torch.nn.BatchNorm`: training normalises with the batch's (biased)
/// variance and updates the running mean and (unbiased) variance; evaluation uses them.
/// Forward and backward are fused and read the tensor in place, as [outer, feature, inner]
/// blocks, so no axis is moved.
public final class BatchNorm<T: TensorElement> {
    public let weight: Variable<T>
    public let bias: Variable<T>
    public private(set) var runningMean: Tensor<T>
    public private(set) var runningVariance: Tensor<T>
    public var momentum: T
    public var epsilon: T
    public let featureAxis: Int

    public convenience init(features: Int, featureAxis: Int = 1, momentum: T = 0.1, epsilon: T = 1e-5) throws {
        try self.init(
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
        let shape = x.shape
        guard featureAxis < shape.count, shape[featureAxis] == weight.shape[0], bias.shape == weight.shape else {
            throw TensorError.broadcast(x.shape, weight.shape)
        }
        let (outer, c) = (shape[..<featureAxis].reduce(1, *), shape[featureAxis])
        let inner = shape[(featureAxis + 1)...].reduce(1, *)
        let n = outer * inner
        // One value per feature has no variance: training on it would zero every gradient
        // and shrink the running variance, so it is refused, as `torch.nn.BatchNorm` does.
        if training, n <= 1 { throw TensorError.singleValueBatch(features: c) }
        // Per feature: the mean and 1/σ used, from the batch or the running statistics.
        var mean = try [T](zeros: c)
        var inverse = try [T](zeros: c)
        x.value.storage.withUnsafeBufferPointer { xs in
            for f in 0..<c {
                var (m, v) = (runningMean.storage[f], runningVariance.storage[f])
                if training {
                    var sum = 0.0
                    Self.forEach(f, outer, c, inner) { sum += Double(xs[$0]) }
                    let mu = sum / Double(max(n, 1))
                    var squares = 0.0
                    Self.forEach(f, outer, c, inner) { squares += (Double(xs[$0]) - mu) * (Double(xs[$0]) - mu) }
                    (m, v) = (T(mu), T(squares / Double(max(n, 1))))
                    let unbiased = n > 1 ? T(n) / T(n - 1) : 1
                    runningMean.storage[f] = (1 - momentum) * runningMean.storage[f] + momentum * m
                    runningVariance.storage[f] = (1 - momentum) * runningVariance.storage[f] + momentum * v * unbiased
                }
                mean[f] = m
                inverse[f] = 1 / T.sqrt(v + epsilon)
            }
        }
        let (w, b) = (weight.value.storage, bias.value.storage)
        var y = try [T](zeros: x.value.count)
        x.value.storage.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                for f in 0..<c {
                    let (m, scale, shift) = (mean[f], inverse[f] * w[f], b[f])
                    Self.forEach(f, outer, c, inner) { ys[$0] = (xs[$0] - m) * scale + shift }
                }
            }
        }
        let xValue = x.value
        return Variable(Tensor(unchecked: shape, y), operation: "batchnorm", parents: [x, weight, bias]) { g in
            // With x̂ = (x − μ)/σ: ∂γ = Σ g·x̂, ∂β = Σ g; in training μ and σ depend on x too,
            // giving ∂x = γ/σ · (g − ∂β/n − x̂·∂γ/n); in evaluation ∂x = γ/σ · g.
            var dw = try [T](zeros: c)
            var db = try [T](zeros: c)
            var dx = try [T](zeros: xValue.count)
            g.storage.withUnsafeBufferPointer { gs in
                xValue.storage.withUnsafeBufferPointer { xs in
                    dx.withUnsafeMutableBufferPointer { dxs in
                        for f in 0..<c {
                            let (m, inv) = (mean[f], inverse[f])
                            var (sumG, sumGX) = (0.0, 0.0)
                            Self.forEach(f, outer, c, inner) { i in
                                sumG += Double(gs[i])
                                sumGX += Double(gs[i]) * Double((xs[i] - m) * inv)
                            }
                            (dw[f], db[f]) = (T(sumGX), T(sumG))
                            let scale = w[f] * inv
                            if training {
                                let (meanG, meanGX) = (T(sumG / Double(max(n, 1))), T(sumGX / Double(max(n, 1))))
                                Self.forEach(f, outer, c, inner) { i in
                                    dxs[i] = scale * (gs[i] - meanG - (xs[i] - m) * inv * meanGX)
                                }
                            } else {
                                Self.forEach(f, outer, c, inner) { dxs[$0] = scale * gs[$0] }
                            }
                        }
                    }
                }
            }
            return [Tensor(unchecked: shape, dx), Tensor(unchecked: [c], dw), Tensor(unchecked: [c], db)]
        }
    }

    /// Calls `body` with the flat index of every element of feature `f`, block by block.
    @inline(__always)
    static func forEach(_ f: Int, _ outer: Int, _ c: Int, _ inner: Int, _ body: (Int) -> Void) {
        for o in 0..<outer {
            let base = (o * c + f) * inner
            for i in base..<(base + inner) { body(i) }
        }
    }
}
