/// einsum over labelled axes, times `scale` (folded into the gemm, as attention's 1/√d is).
/// The gradient of each operand is the output gradient contracted with the other operands
/// and scaled alike (stretched over axes only that operand had).
public func einsum<T>(_ operands: [(Variable<T>, [String])], output: [String], scale: T = 1) throws -> Variable<T> {
    let y = try Contraction.einsum(operands.map { ($0.0.value, $0.1) }, output: output, scale: scale)
    return Variable(y, operation: "einsum", parents: operands.map(\.0)) { g in
        try operands.indices.map { i -> Tensor<T>? in
            let (x, labels) = operands[i]
            guard x.requiresGrad else { return nil }
            let others = operands.indices.filter { $0 != i }.map { (operands[$0].0.value, operands[$0].1) }
            let reachable = Set(output + others.flatMap(\.1))
            let produced = labels.filter { reachable.contains($0) }
            var grad = try Contraction.einsum([(g, output)] + others, output: produced, scale: scale)
            // Axes only this operand had were summed away: their gradient is a stretch.
            if produced.count < labels.count {
                let keptShape = labels.indices.map { produced.contains(labels[$0]) ? x.value.shape[$0] : 1 }
                let order = labels.filter { produced.contains($0) }.map { produced.firstIndex(of: $0)! }
                grad = try grad.permuted(order).reshaped(keptShape).expanded(to: x.value.shape)
            }
            return grad
        }
    }
}
