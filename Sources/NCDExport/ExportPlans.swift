import NCDCore

/// What both exports decide the same way the runtime does: the sizes layouts are decided
/// with, a rearrangement's moves, an einsum's labels.
enum ExportPlans {
    /// The sizes bound at export, and a distinct stand-in for each free size: the code reads
    /// free sizes from shapes, and stand-ins only decide layout questions (is this axis
    /// the same size on both sides of a rearrange?) that no real size would answer otherwise.
    static func sizesWithStandIns(_ entry: DiagramGraph, _ sizes: [String: Int]) -> [String: Int] {
        var all = sizes
        var standIn = 1_000_003
        for symbol in TorchExporter.freeSymbols(entry) where all[symbol] == nil {
            all[symbol] = standIn
            standIn += 2
        }
        return all
    }

    /// `rearrange[from -> to]` as the runtime's `Named.rearranged(from:to:)` reads it: the
    /// axes written on both sides with their size stay themselves; the rest of `from`
    /// (`consumed`) is read row-major into the rest of `to` (`produced`).
    static func rearrangement(
        _ op: Operation, in graph: DiagramGraph, from: [String], to: [String], extent: (SizeExpr) throws -> Int
    )
        throws -> (consumed: [String], produced: [Axis])
    {
        let inType = graph.type(of: op.inputs[0])
        let outType = graph.type(of: op.outputs[0])
        func outAxis(_ name: String) throws -> Axis {
            guard let a = outType.axis(named: name) else { throw ExportError("internal error: no axis `\(name)`") }
            return a
        }
        let kept = Set(
            try to.filter { name in
                guard from.contains(name), let a = inType.axis(named: name) else { return false }
                return try extent(a.size) == extent(try outAxis(name).size)
            })
        return (from.filter { !kept.contains($0) }, try to.filter { !kept.contains($0) }.map(outAxis))
    }

    /// An einsum's result labels as the runtime orders them (carried axes first, then the
    /// written output) and its equation over `alphabet`, each operand labelled by its own axes.
    static func einsum(_ contraction: Contraction, operands: [[String]], alphabet: String) throws -> (
        labels: [String], equation: String
    ) {
        let output = contraction.output
        var extras: [String] = []
        for a in operands.joined() where !output.contains(a) && !contraction.summed.contains(a) && !extras.contains(a) {
            extras.append(a)
        }
        let labels = extras + output
        let letters = Array(alphabet)
        var assigned: [String: Character] = [:]
        for a in Array(operands.joined()) + labels where assigned[a] == nil {
            guard assigned.count < letters.count else {
                throw ExportError("an einsum over more than \(letters.count) axes")
            }
            assigned[a] = letters[assigned.count]
        }
        let spell = { (axes: [String]) in String(axes.map { assigned[$0]! }) }
        return (labels, operands.map(spell).joined(separator: ",") + "->" + spell(labels))
    }
}
