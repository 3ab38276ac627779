import NCDCore
import NCDTensor

/// Sub-diagrams. Inside a callee, values use the callee's axis names (generic axes bound
/// by position, as the checker bound them). Axes the call is broadcast over, and axes
/// carried from further out, travel along under unique names, so they can never collide
/// with an axis of the callee; every operation carries them by name (outer and inner
/// broadcasting, and diagonal axes shared by several arguments, all follow from that).
extension Executor {
    func call(_ op: Operation, _ child: DiagramGraph, _ args: [Named], in g: DiagramGraph) throws -> [Named] {
        let renaming = CallRenaming(op, of: child, in: g, counter: &uniqueCounter)
        let inputs = try args.enumerated().map { i, arg -> Named in
            guard let axes = renaming.argument(i, arg.axes) else {
                throw ExecError.internalError("argument \(i + 1) of `\(child.name)` does not fit its parameter")
            }
            return Named(variable: arg.variable, axes: axes)
        }
        return try execute(child, inputs).enumerated().map { j, result in
            guard let axes = renaming.result(j, result.axes) else {
                throw ExecError.internalError("output \(j + 1) of `\(child.name)` would have axes \(result.axes)")
            }
            return Named(variable: result.variable, axes: axes)
        }
    }
}
