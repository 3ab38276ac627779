import NCDCore
import NCDTensor

extension Executor {
    /// Gives free sizes new values between runs (a last, smaller batch), keeping the
    /// parameters: refused if a parameter's shape would change.
    public func rebind(_ changes: [String: Int]) throws {
        guard changes.contains(where: { sizes[$0.key] != $0.value }) else { return }
        var used = Set<String>()
        func visit(_ g: DiagramGraph) {
            for op in g.operations {
                for p in op.parameters { for a in p.type.axes { used.formUnion(a.size.freeSymbols) } }
                if case .call(let child) = op.kind { visit(child) }
            }
        }
        visit(graph)
        if let shaping = changes.keys.sorted().first(where: used.contains) {
            throw ExecError.input("`\(shaping)` sizes parameters of `\(graph.name)`, so it cannot change between runs")
        }
        sizes.merge(changes) { $1 }
        // Plans hold scale factors evaluated at the old sizes (a mean over the batch).
        fusionPlans = [:]
    }

    /// The position of the generator dropout draws from, for checkpoints.
    public var dropoutState: UInt64 {
        get { dropoutGenerator.state }
        set { dropoutGenerator.state = newValue }
    }

    /// The trainable parameters (buffers aside), in creation order, created if not yet.
    public func trainableParameters() throws -> [(name: String, variable: Variable<Float>)] {
        _ = try allParameters()
        return parameterNames.compactMap { name in
            parameters[name].flatMap { $0.requiresGrad ? (name, $0) : nil }
        }
    }
}
