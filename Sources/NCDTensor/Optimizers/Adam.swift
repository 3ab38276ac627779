import Foundation

/// Adam and AdamW, as `torch.optim.Adam` and `torch.optim.AdamW`: moments
/// `m ← m + (1 − β₁)(g − m)` and `v ← β₂v + (1 − β₂)g²`, then
/// `p −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)`. Weight decay is added to the
/// gradient (`g += λp`, Adam) or, decoupled, shrinks the parameter first
/// (`p ← p(1 − lr·λ)`, AdamW). The bias corrections are computed in double precision, as
/// PyTorch computes them in Python floats.
public final class Adam<T: TensorElement>: Optimizer {
    public let parameters: [Variable<T>]
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    /// AdamW's decay of the parameter itself, instead of Adam's added to the gradient.
    public let decoupled: Bool
    public var state: OptimizerState<T>

    public init(
        _ parameters: [Variable<T>], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0, decoupled: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        state = OptimizerState(parameterCount: parameters.count, bufferNames: ["exp_avg", "exp_avg_sq"])
    }

    /// AdamW: decoupled weight decay, 0.01 by default as in PyTorch.
    public static func adamW(
        _ parameters: [Variable<T>], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0.01
    ) -> Adam {
        Adam(
            parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupled: true)
    }

    // Specialised for Float: called through `any Optimizer`, the generic body would go
    // through value witnesses for every element.
    @_specialize(where T == Float)
    public func step() throws {
        _ = try state.makeBuffers(["exp_avg", "exp_avg_sq"], for: parameters)
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            state.steps[i] += 1
            let t = Double(state.steps[i])
            let stepSize = T(learningRate / (1 - Foundation.pow(beta1, t)))
            let correction2 = T((1 - Foundation.pow(beta2, t)).squareRoot())
            let (b1Weight, b2, b2Weight, eps) = (T(1 - beta1), T(beta2), T(1 - beta2), T(epsilon))
            let couplesDecay = !decoupled && weightDecay != 0
            let (decay, shrink) = (T(weightDecay), T(1 - learningRate * weightDecay))
            let shrinks = decoupled && weightDecay != 0
            // torch's lerp takes its weight as a float and its complement in float.
            let (lerpsFromStart, keep1) = (1 - beta1 < 0.5, 1 - T(1 - beta1))
            withBuffers(&state, ["exp_avg", "exp_avg_sq"], i) { buffers in
                var (m, v): ([T], [T]) = ([], [])
                swap(&m, &buffers[0])
                swap(&v, &buffers[1])
                defer {
                    swap(&m, &buffers[0])
                    swap(&v, &buffers[1])
                }
                do {
                    p.update { values in
                        values.withUnsafeMutableBufferPointer { x in
                            g.storage.withUnsafeBufferPointer { gs in
                                m.withUnsafeMutableBufferPointer { ms in
                                    v.withUnsafeMutableBufferPointer { vs in
                                        Parallel.forEachChunk(x.count, costPerItem: 12) { range in
                                            for j in range {
                                                if shrinks { x[j] *= shrink }
                                                let d = couplesDecay ? gs[j] + decay * x[j] : gs[j]
                                                // torch's lerp, whose form depends on the weight
                                                ms[j] =
                                                    lerpsFromStart
                                                    ? ms[j] + b1Weight * (d - ms[j]) : d - (d - ms[j]) * keep1
                                                vs[j] = b2 * vs[j] + b2Weight * d * d
                                                // addcdiv: (value · m) / denominator, in that order
                                                x[j] -= stepSize * ms[j] / (T.sqrt(vs[j]) / correction2 + eps)
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
    }
}
