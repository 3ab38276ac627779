/// Global gradient-norm clipping, as `torch.nn.utils.clip_grad_norm_`: the norm of all the
/// gradients together, and when it exceeds `maxNorm`, every gradient scaled by
/// `maxNorm / (norm + 1e-6)`. Returns the norm before clipping.
@discardableResult
public func clipGradientNorm<T: TensorElement>(_ parameters: [Variable<T>], maxNorm: Double) throws -> Double {
    var squares = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        squares += g.storage.withUnsafeBufferPointer { gs in gs.reduce(0.0) { $0 + Double($1) * Double($1) } }
    }
    let norm = squares.squareRoot()
    let coefficient = maxNorm / (norm + 1e-6)
    guard coefficient < 1 else { return norm }
    let c = T(coefficient)
    for p in parameters {
        guard let g = p.grad else { continue }
        // Replaced, not scaled in place: the buffer may be shared with another value's gradient.
        p.grad = try g.scaled(by: c)
        p.gradIsOwned = true
    }
    return norm
}
