/// A broken invariant of a ``DiagramGraph``: a bug in whatever built it.
public struct GraphInvariantError: Error, CustomStringConvertible {
    public let violations: [String]
    public var description: String { violations.joined(separator: "\n") }
}

extension DiagramGraph {
    /// Checks the invariants listed on ``DiagramGraph``, in this graph and every
    /// sub-diagram; throws them all at once.
    public func validate() throws {
        let violations = invariantViolations()
        if !violations.isEmpty { throw GraphInvariantError(violations: violations) }
    }

    /// Every broken invariant, each in words, prefixed by the diagram's name; sub-diagrams'
    /// too unless `recursive` is false.
    public func invariantViolations(recursive: Bool = true) -> [String] {
        var problems: [String] = []
        func fail(_ text: String) { problems.append("\(name): \(text)") }
        for (i, v) in values.enumerated() where v.id != i { fail("value \(i) has id \(v.id)") }
        for (i, v) in values.enumerated() where Set(v.type.names).count != v.type.axes.count {
            fail("value \(i) repeats an axis: \(v.type)")
        }
        var produced = [Bool](repeating: false, count: values.count)
        func produce(_ v: ValueID, by what: String) {
            guard v >= 0, v < values.count else { return fail("\(what) produces missing value \(v)") }
            if produced[v] { fail("value \(v) is produced twice (again by \(what))") }
            produced[v] = true
        }
        for v in inputs { produce(v, by: "the inputs") }
        for (i, op) in operations.enumerated() {
            for v in op.inputs where v < 0 || v >= values.count || !produced[v] {
                fail("operation \(i) (\(op.kind.mnemonic)) reads value \(v) before it is produced")
            }
            for v in op.outputs { produce(v, by: "operation \(i) (\(op.kind.mnemonic))") }
            problems += memoryViolations(op, i)
            if recursive, case .call(let child) = op.kind { problems += child.invariantViolations() }
        }
        for v in outputs where v < 0 || v >= values.count || !produced[v] { fail("output \(v) is never produced") }
        for (i, produced) in produced.enumerated() where !produced { fail("value \(i) has no producer") }
        problems += loopViolations()
        return problems
    }

    private func memoryViolations(_ op: Operation, _ i: Int) -> [String] {
        switch op.kind {
        case .save where op.inputs.count != 1 || !op.outputs.isEmpty:
            return ["\(name): save \(i) must read one value and produce none"]
        case .load where op.inputs.count != 1 || op.outputs.count != 1:
            return ["\(name): load \(i) must read one value and produce one"]
        case .load where type(of: op.inputs[0]) != type(of: op.outputs[0]):
            return ["\(name): load \(i) changes the type of the value it reads"]
        default:
            return []
        }
    }

    private func loopViolations() -> [String] {
        var problems: [String] = []
        func fail(_ text: String) { problems.append("\(name): \(text)") }
        for (id, loop) in loops.enumerated() {
            if loop.id != id { fail("loop \(id) has id \(loop.id)") }
            var previousEnd: Int?
            for iteration in loop.iterations {
                let range = iteration.operations
                if range.upperBound > operations.count { fail("loop `\(loop.label)` runs past the operations") }
                if let end = previousEnd, range.lowerBound < end { fail("iterations of `\(loop.label)` overlap") }
                previousEnd = range.upperBound
                if let parent = loop.parent,
                    !loops[parent].iterations.contains(where: { $0.operations.encloses(range) })
                {
                    fail("loop `\(loop.label)` lies outside every iteration of its parent")
                }
                for i in range where i < operations.count {
                    let frames = operations[i].loops
                    if !frames.contains(where: { $0.loop == id && $0.index == iteration.index }) {
                        fail(
                            "operation \(i) lies in iteration \(iteration.index) of `\(loop.label)` but does not say so"
                        )
                    }
                }
            }
        }
        for (i, op) in operations.enumerated() {
            for frame in op.loops {
                guard frame.loop >= 0, frame.loop < loops.count else {
                    fail("operation \(i) names missing loop \(frame.loop)")
                    continue
                }
                let inside = loops[frame.loop].iterations.contains {
                    $0.index == frame.index && $0.operations.contains(i)
                }
                if !inside {
                    fail("operation \(i) claims iteration \(frame.index) of `\(frame.label)` but lies outside it")
                }
            }
            // Regions nest: each one an operation names is within the one before it.
            for (k, r) in op.regions.enumerated() {
                guard regions.indices.contains(r) else {
                    fail("operation \(i) names missing region \(r)")
                    continue
                }
                if regions[r].parent != (k == 0 ? nil : op.regions[k - 1]) {
                    fail("operation \(i)'s regions \(op.regions) do not nest as the regions say")
                }
            }
        }
        return problems
    }
}

extension Range where Bound == Int {
    /// Whether `other` lies within this range (an empty one at its ends included).
    fileprivate func encloses(_ other: Range<Int>) -> Bool {
        lowerBound <= other.lowerBound && other.upperBound <= upperBound
    }
}
