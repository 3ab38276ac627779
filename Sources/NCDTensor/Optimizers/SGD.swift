/// Stochastic gradient descent, as `torch.optim.SGD`: with weight decay `g += λp` (coupled,
/// added to the gradient), momentum `b = μb + (1 − τ)g` (the buffer starts as the first
/// gradient), Nesterov's `g += μb` or plain `g = b`, then `p −= lr·g`.
public final class SGD<T: TensorElement>: Optimizer {
    public let parameters: [Variable<T>]
    public var learningRate: Double
    public let momentum: Double, dampening: Double, weightDecay: Double
    public let nesterov: Bool
    public var state: OptimizerState<T>

    public init(
        _ parameters: [Variable<T>], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        state = OptimizerState(parameterCount: parameters.count, bufferNames: momentum == 0 ? [] : ["momentum_buffer"])
    }

    // Specialised for Float: called through `any Optimizer`, the generic body would go
    // through value witnesses for every element.
    @_specialize(where T == Float)
    public func step() throws {
        // Locals: touching class properties per element costs an exclusivity check each time.
        let (lr, mu, keep, decay) = (T(learningRate), T(momentum), T(1 - dampening), T(weightDecay))
        let (useMomentum, nesterov) = (momentum != 0, self.nesterov)
        let made = useMomentum ? try state.makeBuffers(["momentum_buffer"], for: parameters) : []
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            state.steps[i] += 1
            if !useMomentum {
                p.update { x in
                    g.storage.withUnsafeBufferPointer { gs in
                        for j in x.indices { x[j] -= lr * (gs[j] + decay * x[j]) }
                    }
                }
                continue
            }
            withBuffers(&state, ["momentum_buffer"], i) { buffers in
                var buffer: [T] = []
                swap(&buffer, &buffers[0])
                defer { swap(&buffer, &buffers[0]) }
                // PyTorch's first momentum step takes the gradient itself as the buffer.
                let first = made.contains(i)
                p.update { values in
                    values.withUnsafeMutableBufferPointer { x in
                        g.storage.withUnsafeBufferPointer { gs in
                            buffer.withUnsafeMutableBufferPointer { b in
                                Parallel.forEachChunk(x.count, costPerItem: 4) { range in
                                    for j in range {
                                        let d = decay == 0 ? gs[j] : gs[j] + decay * x[j]
                                        b[j] = first ? d : mu * b[j] + keep * d
                                        x[j] -= lr * (nesterov ? d + mu * b[j] : b[j])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
