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
        // Locals and raw buffers: touching class properties per element costs a dynamic
        // exclusivity check each time.
        let lr = learningRate
        let mu = momentum
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            // Moved out, not copied: a second reference would make the write below copy it.
            var v: [T] = []
            swap(&v, &velocity[i])
            defer { swap(&v, &velocity[i]) }
            p.update { values in
                values.withUnsafeMutableBufferPointer { x in
                    g.storage.withUnsafeBufferPointer { gs in
                        v.withUnsafeMutableBufferPointer { vs in
                            // Split as the parameter's gradient and its uses split their rows.
                            Parallel.forEachChunk(x.count, costPerItem: 3) { range in
                                if mu == 0 {
                                    for j in range { x[j] -= lr * gs[j] }
                                } else {
                                    for j in range {
                                        vs[j] = mu * vs[j] + gs[j]
                                        x[j] -= lr * vs[j]
                                    }
                                }
                            }
                        }
                    }
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

    public init(
        _ parameters: [Variable<T>], learningRate: T = 1e-3, beta1: T = 0.9, beta2: T = 0.999, epsilon: T = 1e-8
    ) {
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
        let c1 = beta1Power
        let c2 = beta2Power
        let (b1, b2, eps, lr) = (beta1, beta2, epsilon, learningRate)
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            // Moved out, not copied (see SGD.step).
            var (mi, vi): ([T], [T]) = ([], [])
            swap(&mi, &m[i])
            swap(&vi, &v[i])
            defer {
                swap(&mi, &m[i])
                swap(&vi, &v[i])
            }
            p.update { values in
                values.withUnsafeMutableBufferPointer { x in
                    g.storage.withUnsafeBufferPointer { gs in
                        mi.withUnsafeMutableBufferPointer { ms in
                            vi.withUnsafeMutableBufferPointer { vs in
                                Parallel.forEachChunk(x.count, costPerItem: 12) { range in
                                    for j in range {
                                        ms[j] = b1 * ms[j] + (1 - b1) * gs[j]
                                        vs[j] = b2 * vs[j] + (1 - b2) * gs[j] * gs[j]
                                        x[j] -= lr * (ms[j] / (1 - c1)) / (T.sqrt(vs[j] / (1 - c2)) + eps)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}
