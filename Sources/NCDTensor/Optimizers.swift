/// Stochastic gradient descent with optional momentum, updating parameters in place
/// (PyTorch's `torch.optim.SGD` semantics: v = μv + g; p −= lr·v).
public final class SGD<T: TensorElement> {
    public let parameters: [Variable<T>]
    public var learningRate: T
    public var momentum: T
    private var velocity: [[T]]

    public init(_ parameters: [Variable<T>], learningRate: T, momentum: T = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.velocity = parameters.map { [T](repeating: 0, count: $0.value.count) }
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            p.update { values in
                for j in values.indices {
                    let v = momentum * velocity[i][j] + g.storage[j]
                    velocity[i][j] = v
                    values[j] -= learningRate * v
                }
            }
        }
    }

    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}

/// Adam (`torch.optim.Adam` semantics, bias-corrected moments).
public final class Adam<T: TensorElement> {
    public let parameters: [Variable<T>]
    public var learningRate: T
    public let beta1: T, beta2: T, epsilon: T
    private var m: [[T]], v: [[T]]
    /// β₁ᵗ and β₂ᵗ, for the bias correction.
    private var beta1Power: T = 1, beta2Power: T = 1

    public init(_ parameters: [Variable<T>], learningRate: T = 1e-3, beta1: T = 0.9, beta2: T = 0.999, epsilon: T = 1e-8) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        m = parameters.map { [T](repeating: 0, count: $0.value.count) }
        v = m
    }

    public func step() {
        beta1Power *= beta1
        beta2Power *= beta2
        let c1 = beta1Power, c2 = beta2Power
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            p.update { values in
                for j in values.indices {
                    m[i][j] = beta1 * m[i][j] + (1 - beta1) * g.storage[j]
                    v[i][j] = beta2 * v[i][j] + (1 - beta2) * g.storage[j] * g.storage[j]
                    let mHat = m[i][j] / (1 - c1), vHat = v[i][j] / (1 - c2)
                    values[j] -= learningRate * mHat / (T.sqrt(vHat) + epsilon)
                }
            }
        }
    }

    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}
