/// How a call's values cross into its sub-diagram and back, by axis name: inside, an
/// argument's axes take the callee's names (generic axes bound by position, as the checker
/// bound them), and the axes the call is broadcast over take unique names (`§b#3`) so they
/// can never collide with the callee's own; every axis carried from further out keeps its
/// name. The runtime and both exports move values across calls with this one rule.
public struct CallRenaming {
    /// Each axis the call is broadcast over, and its unique name inside.
    public let inward: [String: String]
    /// Each unique name, and the broadcast axis it stands for outside.
    public let outward: [String: String]
    let op: Operation
    let caller: DiagramGraph
    let callee: DiagramGraph

    /// The renaming of one call; `counter` numbers the unique names.
    public init(_ op: Operation, of callee: DiagramGraph, in caller: DiagramGraph, counter: inout Int) {
        var inward: [String: String] = [:]
        var outward: [String: String] = [:]
        for axis in op.broadcast {
            counter += 1
            let unique = "§\(axis.name)#\(counter)"
            inward[axis.name] = unique
            outward[unique] = axis.name
        }
        self.inward = inward
        self.outward = outward
        self.op = op
        self.caller = caller
        self.callee = callee
    }

    /// Argument `i`'s axes (in its physical order) under the names the callee uses; nil if
    /// its type does not line up with the callee's parameter (a checker bug).
    public func argument(_ i: Int, _ axes: [String]) -> [String]? {
        let broadcast = op.broadcast.map(\.name)
        let callerType = caller.type(of: op.inputs[i]).names.filter { !broadcast.contains($0) }
        let calleeType = callee.type(of: callee.inputs[i]).names
        guard callerType.count == calleeType.count else { return nil }
        var renaming = Dictionary(uniqueKeysWithValues: zip(callerType, calleeType))
        for (outer, unique) in inward { renaming[outer] = unique }
        return axes.map { renaming[$0] ?? $0 }
    }

    /// Result `j`'s axes (as the callee laid them out) under the caller's names; nil if two
    /// would take one name (a checker bug). `carried` maps other names the callee saw back.
    public func result(_ j: Int, _ axes: [String], carried: [String: String] = [:]) -> [String]? {
        let broadcast = op.broadcast.map(\.name)
        let callerType = caller.type(of: op.outputs[j]).names.filter { !broadcast.contains($0) }
        let calleeType = callee.type(of: callee.outputs[j]).names
        var renaming = Dictionary(uniqueKeysWithValues: zip(calleeType, callerType))
        for (name, unique) in carried { renaming[name] = outward[unique] ?? unique }
        for (unique, outer) in outward { renaming[unique] = outer }
        let mapped = axes.map { renaming[$0] ?? $0 }
        return Set(mapped).count == mapped.count ? mapped : nil
    }
}
