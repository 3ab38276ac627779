import NCDCore
import NCDTensor

/// Sub-diagrams. Inside a callee, values use the callee's axis names (generic axes bound
/// by position, as the checker bound them). Axes the call is broadcast over, and axes
/// carried from further out, travel along under unique names, so they can never collide
/// with an axis of the callee; every operation carries them by name (outer and inner
/// broadcasting, and diagonal axes shared by several arguments, all follow from that).
extension Executor {
    func call(_ op: Operation, _ child: DiagramGraph, _ args: [Named], in g: DiagramGraph) throws -> [Named] {
        let broadcast = op.broadcast.map(\.name)
        var outward: [String: String] = [:]  // unique name inside → name outside
        var inward: [String: String] = [:]
        for name in broadcast {
            uniqueCounter += 1
            let unique = "§\(name)#\(uniqueCounter)"
            inward[name] = unique
            outward[unique] = name
        }
        var inputs: [Named] = []
        for (i, arg) in args.enumerated() {
            let callerType = g.type(of: op.inputs[i]).names.filter { !broadcast.contains($0) }
            let calleeType = child.type(of: child.inputs[i]).names
            guard callerType.count == calleeType.count else {
                throw ExecError.internalError(
                    "argument \(i + 1) of `\(child.name)` has \(callerType) for \(calleeType)")
            }
            var renaming = Dictionary(uniqueKeysWithValues: zip(callerType, calleeType))
            for (outer, unique) in inward { renaming[outer] = unique }
            inputs.append(Named(variable: arg.variable, axes: arg.axes.map { renaming[$0] ?? $0 }))
        }
        let results = try execute(child, inputs)
        return try results.enumerated().map { j, result in
            let callerType = g.type(of: op.outputs[j]).names.filter { !broadcast.contains($0) }
            let calleeType = child.type(of: child.outputs[j]).names
            var renaming = Dictionary(uniqueKeysWithValues: zip(calleeType, callerType))
            for (unique, outer) in outward { renaming[unique] = outer }
            let axes = result.axes.map { renaming[$0] ?? $0 }
            guard Set(axes).count == axes.count else {
                throw ExecError.internalError("output \(j + 1) of `\(child.name)` would have axes \(axes)")
            }
            return Named(variable: result.variable, axes: axes)
        }
    }
}
