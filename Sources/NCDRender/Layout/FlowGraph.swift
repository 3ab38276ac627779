import NCDCore

/// A diagram graph in the form the layout reads (LAYOUT.md, pipeline steps 1–2): every use
/// of a value is its own wire bundle (a *track*), copies are explicit nodes, and each node
/// has a column. Columns are longest-path layers from the inputs; each column's members
/// are ordered by barycentre sweeps to reduce crossings (FlowGraph+Ordering.swift).
struct FlowGraph {
    /// One use of a value: a bundle of wires from its producer to one consumer.
    struct Track {
        var value: ValueID
        var axes: [Axis]
        /// The producing node, or nil for a diagram input.
        var producer: Int?
        var consumer: Int
    }

    enum NodeKind {
        case operation(Operation)
        /// Copies its one input into `outputs.count` tracks (the paper's copy dots).
        case copy
        /// Ends an unused value with a dot.
        case discard
        /// The diagram's outputs.
        case sink
    }

    struct Node {
        var kind: NodeKind
        var inputs: [Int] = []
        var outputs: [Int] = []
        var column = 0
        /// An operation's position in the graph's operation list.
        var position: Int?
    }

    /// A member of a column: a node, or a track passing through untouched.
    enum Member: Hashable {
        case node(Int)
        case pass(Int)
    }

    private(set) var tracks: [Track] = []
    /// The nodes; a copy's branches are reordered with the columns (FlowGraph+Ordering.swift).
    var nodes: [Node] = []
    /// Input tracks in the diagram's input order (the left edge).
    private(set) var inputTracks: [Int] = []
    /// Columns 1…sink; column 0 is the inputs (ordered in FlowGraph+Ordering.swift).
    var columns: [[Member]] = [[]]
    /// Each track's position in the gap it reaches its consumer through.
    var arrivalPosition: [Int: Int] = [:]
    /// The graph's loops, for their bounds.
    let loops: [Loop]
    /// The loops drawn once (their first iteration); the rest are drawn unrolled.
    let drawnOnce: Set<LoopID>

    init(_ graph: DiagramGraph, unroll: Bool = false, memoryAsWires: Bool = false) {
        loops = graph.loops
        // Drawn once, a loop is its first iteration: later iterations' operations are left
        // out and their values stand for the first iteration's (what follows the loop reads
        // its last iteration's values, drawn as the first's, between the brackets).
        drawnOnce = unroll ? [] : Self.collapsible(graph)
        let representative = Self.firstIterations(graph, drawnOnce)
        // Memory is drawn as marks (the paper's `→ C_λ` and `C_{5−λ} →`): a save ends its
        // value's wires, a load starts the loaded value's, and no wire joins them. As wires,
        // a load is the value saved and a save draws nothing of its own.
        var alias: [ValueID: ValueID] = [:]
        func resolved(_ v: ValueID) -> ValueID { alias[v].map(resolved) ?? v }
        var laidOut: [(position: Int, operation: Operation)] = []
        for (position, op) in graph.operations.enumerated() {
            if let first = representative[position] {
                for (v, w) in zip(op.outputs, graph.operations[first].outputs) { alias[v] = w }
                continue
            }
            if memoryAsWires {
                if case .load = op.kind { alias[op.outputs[0]] = resolved(op.inputs[0]) }
                guard !op.kind.isMemoryAccess else { continue }
            }
            var inputs = op.inputs.map(resolved)
            if case .load = op.kind { inputs = [] }
            laidOut.append(
                (
                    position,
                    Operation(
                        kind: op.kind, inputs: inputs, outputs: op.outputs,
                        broadcast: op.broadcast, parameters: op.parameters, instance: op.instance,
                        sharedFrom: op.sharedFrom, location: op.location, loops: op.loops, regions: op.regions)
                ))
        }
        let outputs = graph.outputs.map(resolved)
        var uses: [ValueID: Int] = [:]
        for (_, op) in laidOut { for v in op.inputs { uses[v, default: 0] += 1 } }
        for v in outputs { uses[v, default: 0] += 1 }

        // Tracks waiting for their consumer, per value, in order of use.
        var pending: [ValueID: [Int]] = [:]
        func produce(_ v: ValueID, by producer: Int?) -> [Int] {
            let type = graph.type(of: v).axes
            let count = uses[v] ?? 0
            let first = addTrack(v, type, producer)
            if count == 1 {
                pending[v] = [first]
                return [first]
            }
            let node = count == 0 ? Node(kind: .discard) : Node(kind: .copy)
            nodes.append(node)
            let n = nodes.count - 1
            tracks[first].consumer = n
            nodes[n].inputs = [first]
            let branches = (0..<count).map { _ in addTrack(v, type, n) }
            nodes[n].outputs = branches
            pending[v] = branches
            return [first]
        }
        for v in graph.inputs { inputTracks += produce(v, by: nil) }
        for (position, op) in laidOut {
            nodes.append(Node(kind: .operation(op), position: position))
            let n = nodes.count - 1
            nodes[n].inputs = op.inputs.map { take(&pending, $0) }
            for t in nodes[n].inputs { tracks[t].consumer = n }
            for v in op.outputs { nodes[n].outputs += produce(v, by: n) }
        }
        nodes.append(Node(kind: .sink))
        let sink = nodes.count - 1
        nodes[sink].inputs = outputs.map { take(&pending, $0) }
        for t in nodes[sink].inputs { tracks[t].consumer = sink }
        assignColumns(sink: sink)
    }

    /// The loops whose iterations all have the same length, which are drawn once.
    static func collapsible(_ graph: DiagramGraph) -> Set<LoopID> {
        Set(
            graph.loops.filter { loop in
                guard let first = loop.iterations.first, loop.iterations.count > 1 else { return false }
                return loop.iterations.allSatisfy { $0.operations.count == first.operations.count }
            }.map(\.id))
    }

    /// For each operation of a later iteration of a loop, the operation of the loop's first
    /// iteration it repeats (the same offset in the iteration). Only the `collapsing` loops
    /// are drawn so.
    static func firstIterations(_ graph: DiagramGraph, _ collapsing: Set<LoopID>) -> [Int: Int] {
        var representative: [Int: Int] = [:]
        for loop in graph.loops where collapsing.contains(loop.id) {
            let first = loop.iterations[0]
            for iteration in loop.iterations.dropFirst() {
                for (offset, position) in iteration.operations.enumerated() {
                    representative[position] = first.operations.lowerBound + offset
                }
            }
        }
        // A nested loop's first iteration inside a later outer iteration repeats too.
        func settled(_ p: Int) -> Int { representative[p].map(settled) ?? p }
        return representative.mapValues(settled)
    }

    private mutating func addTrack(_ v: ValueID, _ axes: [Axis], _ producer: Int?) -> Int {
        tracks.append(Track(value: v, axes: axes, producer: producer, consumer: -1))
        return tracks.count - 1
    }

    private func take(_ pending: inout [ValueID: [Int]], _ v: ValueID) -> Int {
        pending[v]!.removeFirst()
    }

    private mutating func assignColumns(sink: Int) {
        // Nodes were appended in dependency order, so one pass settles the layers.
        for n in nodes.indices where n != sink {
            nodes[n].column = 1 + (nodes[n].inputs.map { tracks[$0].producer.map { nodes[$0].column } ?? 0 }.max() ?? 0)
        }
        nodes[sink].column = 1 + (nodes.indices.filter { $0 != sink }.map { nodes[$0].column }.max() ?? 0)
        // A loop's operations go as late as their consumers allow, so that what runs before
        // the loop (an LSTM's first step) stays outside its brackets; so do loads, which
        // start from a memory mark next to where their value is used.
        func inLoop(_ n: Int) -> Bool {
            switch nodes[n].kind {
            case .operation(let op): return !op.loops.isEmpty
            case .copy: return tracks[nodes[n].inputs[0]].producer.map(inLoop) ?? false
            default: return false
            }
        }
        // So do the operations of a region, which then stand side by side in fewer columns
        // (multi-head attention's L^Q beside L^K and L^V, not beside the copy of X), and
        // what reads none of the diagram's inputs (a learned class token or position
        // embedding, `arange`), which is drawn beside where it is used, not at the far left.
        var constant = Array(repeating: false, count: nodes.count)
        for n in nodes.indices where n != sink {
            constant[n] = nodes[n].inputs.allSatisfy { t in tracks[t].producer.map { constant[$0] } ?? false }
        }
        func movesLate(_ n: Int) -> Bool {
            if constant[n] { return true }
            switch nodes[n].kind {
            case .operation(let op):
                if case .load = op.kind { return true }
                return !op.loops.isEmpty || !op.regions.isEmpty
            case .copy: return tracks[nodes[n].inputs[0]].producer.map(movesLate) ?? false
            default: return false
            }
        }
        for n in nodes.indices.reversed() where n != sink && movesLate(n) {
            if let latest = nodes[n].outputs.map({ column(ofConsumer: $0) }).min(), latest - 1 > nodes[n].column {
                nodes[n].column = latest - 1
            }
        }
        // And a loop starts a column of its own, so its bracket encloses nothing else.
        func loopOf(_ n: Int) -> LoopID? {
            if case .operation(let op) = nodes[n].kind { return op.loops.first?.loop }
            return nil
        }
        for loop in Set(nodes.indices.compactMap(loopOf)).sorted() {
            guard let first = nodes.indices.filter({ loopOf($0) == loop }).map({ nodes[$0].column }).min() else {
                continue
            }
            let shared = nodes.indices.contains { n in
                nodes[n].column == first && !inLoop(n) && n != sink
            }
            guard shared else { continue }
            for n in nodes.indices where nodes[n].column > first || (nodes[n].column == first && loopOf(n) == loop) {
                nodes[n].column += 1
            }
        }
        orderColumns(sink: sink)
    }

    func column(ofConsumer track: Int) -> Int { nodes[tracks[track].consumer].column }

    /// The tracks a member sends right.
    func outputs(_ m: Member) -> [Int] {
        switch m {
        case .node(let n): return nodes[n].outputs
        case .pass(let t): return [t]
        }
    }

    /// The tracks a member takes from the left.
    func inputs(_ m: Member) -> [Int] {
        switch m {
        case .node(let n): return nodes[n].inputs
        case .pass(let t): return [t]
        }
    }
}
