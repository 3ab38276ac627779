import NCDCore
import NCDSyntax

/// Loops whose iterations are one instance each. A loop body that makes exactly one
/// instance, by one call the user did not name, makes each iteration that instance:
/// `for l in 0..11 as h { x = Block(x) }` names its parameters `h.0.ln_1.weight`, as an
/// `nn.ModuleList` of blocks does, not `h.0.block1.ln_1.weight`.
extension Instantiator {
    /// The built-ins that make an instance (they may have parameters).
    static let learnedBuiltins: Set<String> = [
        "linear", "conv", "conv_transpose", "layernorm", "rmsnorm", "batchnorm", "embed", "param",
    ]

    /// Whether `body` makes exactly one instance, by a call without `as` or `shares`.
    func makesOneUnnamedInstance(_ body: [Statement]) -> Bool {
        var calls: [Call] = []
        // A region draws its statements apart and changes nothing else: they count as the body's.
        func flattened(_ statements: [Statement]) -> [Statement] {
            statements.flatMap { s -> [Statement] in
                if case .region(_, _, let inner, _) = s { return flattened(inner) }
                return [s]
            }
        }
        for statement in flattened(body) {
            switch statement {
            case .assign(_, let value, _): collectInstances(value, into: &calls)
            case .save(_, let index, let value, _):
                collectInstances(index, into: &calls)
                collectInstances(value, into: &calls)
            case .return(let values, _): values.forEach { collectInstances($0, into: &calls) }
            case .loop: return false
            case .region: continue
            }
        }
        return calls.count == 1 && calls[0].instance == nil
    }

    private func collectInstances(_ expr: Expr, into calls: inout [Call]) {
        switch expr {
        case .call(let call):
            if Self.learnedBuiltins.contains(call.callee.text) || globals.diagrams[call.callee.text] != nil {
                calls.append(call)
            }
            call.arguments.forEach { collectInstances($0, into: &calls) }
        case .binary(_, let a, let b, _):
            collectInstances(a, into: &calls)
            collectInstances(b, into: &calls)
        case .unary(_, let operand), .parenthesized(let operand, _):
            collectInstances(operand, into: &calls)
        case .index(let base, let items, _):
            collectInstances(base, into: &calls)
            for item in items {
                [item.start, item.end].compactMap { $0 }.forEach { collectInstances($0, into: &calls) }
            }
        case .load(_, let index, _):
            collectInstances(index, into: &calls)
        case .name, .integer, .float, .error:
            break
        }
    }
}
