import Foundation

/// The learning rate at each step: a linear warm-up from `base / warmup` to `base` over the
/// first `warmup` steps, then constant, a cosine decay to 0 over the remaining steps (as
/// `CosineAnnealingLR` stepped each step), or a decay by `gamma` every `every` steps (as
/// `StepLR`).
public struct LearningRateSchedule: Equatable {
    public enum Shape: Equatable {
        case constant
        case cosine
        case step(every: Int, gamma: Double)
    }

    public let base: Double
    public let shape: Shape
    public let warmup: Int
    /// Steps in the whole run (all epochs), for the cosine's length.
    public let totalSteps: Int

    public init(base: Double, shape: Shape, warmup: Int = 0, totalSteps: Int) {
        self.base = base
        self.shape = shape
        self.warmup = max(0, warmup)
        self.totalSteps = totalSteps
    }

    /// The rate for step `step`, counted from 0.
    public func rate(at step: Int) -> Double {
        if step < warmup { return base * Double(step + 1) / Double(warmup) }
        let after = step - warmup
        switch shape {
        case .constant: return base
        case .cosine:
            let length = max(1, totalSteps - warmup)
            return base * 0.5 * (1 + cos(Double.pi * Double(min(after, length)) / Double(length)))
        case .step(let every, let gamma): return base * pow(gamma, Double(after / max(1, every)))
        }
    }
}
