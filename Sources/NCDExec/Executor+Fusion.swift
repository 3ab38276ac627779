import NCDCore
import NCDTensor

/// Operations folded into the one before them, where the runtime has the fused form and
/// the value between them is used nowhere else. One kind so far: a constant scale after an
/// einsum rides on the gemm's α (attention's `einsum[…](q, keys) * d_k^-0.5`), which saves
/// a pass over the scores forward and another backward.
struct Fusions {
    /// The factor each einsum, by operation index, is computed with.
    var einsumScale: [Int: Float] = [:]
    /// Operations whose work an earlier one did: they pass their input on.
    var folded: Set<Int> = []
}

extension Executor {
    /// The fusions of one graph, planned once and kept.
    func fusions(of g: DiagramGraph) -> Fusions {
        if let planned = fusionPlans[ObjectIdentifier(g)] { return planned }
        var uses: [ValueID: Int] = [:]
        for id in g.operations.flatMap(\.inputs) + g.outputs { uses[id, default: 0] += 1 }
        var producer: [ValueID: Int] = [:]
        for (i, op) in g.operations.enumerated() { for id in op.outputs { producer[id] = i } }
        var plan = Fusions()
        for (i, op) in g.operations.enumerated() {
            guard case .scale(let factor) = op.kind, op.inputs.count == 1, uses[op.inputs[0]] == 1,
                let j = producer[op.inputs[0]], case .einsum = g.operations[j].kind, plan.einsumScale[j] == nil,
                let value = factor.formula.evaluate(sizes)
            else { continue }
            plan.einsumScale[j] = Float(value)
            plan.folded.insert(i)
        }
        fusionPlans[ObjectIdentifier(g)] = plan
        return plan
    }
}
