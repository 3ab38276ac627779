import NCDCore
import NCDTensor

/// Runs a checked diagram on NCDTensor, define-by-run: each operation of the typed graph
/// becomes runtime operations on named values, so gradients come from the runtime's
/// autodiff. Parameters are created once, by their dotted names, with PyTorch's
/// initialisations, and reused across runs.
public final class Executor {
    public let graph: DiagramGraph
    /// Values of the free sizes.
    public internal(set) var sizes: [String: Int]
    let seed: UInt64
    /// Whether dropout drops and batch norm uses batch statistics.
    public var training = false
    /// Whether every operation's result is checked for NaN and infinity.
    public var checkNumerics = false
    /// When set, parameters enter runs as constants: no gradient is recorded (inference).
    public var inference = false
    /// Parameters by dotted name, in creation order.
    public internal(set) var parameterNames: [String] = []
    public internal(set) var parameters: [String: Variable<Float>] = [:]
    var dropoutGenerator: SplitMix64
    /// Counter for the unique names broadcast axes take inside sub-diagrams.
    var uniqueCounter = 0
    /// Each graph's fusions, planned on its first run.
    var fusionPlans: [ObjectIdentifier: Fusions] = [:]

    /// Prepares to run `graph`, checking that every size it needs is known.
    public init(graph: DiagramGraph, sizes: [String: Int], seed: UInt64 = 0) throws {
        self.graph = graph
        self.sizes = sizes
        self.seed = seed
        self.dropoutGenerator = SplitMix64(seed: seed ^ 0xD0D0)
        var free = Set<String>()
        var abstract: [String] = []
        func collect(_ g: DiagramGraph) {
            for v in g.values { for a in v.type.axes { free.formUnion(a.size.freeSymbols) } }
            for op in g.operations {
                for p in op.parameters { for a in p.type.axes { free.formUnion(a.size.freeSymbols) } }
                if case .call(let child) = op.kind { collect(child) }
                if case .abstract(let name) = op.kind, !abstract.contains(name) { abstract.append(name) }
            }
        }
        collect(graph)
        // Known before anything runs: a box without a body has nothing to execute.
        if !abstract.isEmpty {
            throw ExecError.unsupported(
                "\(abstract.map { "`\($0)`" }.joined(separator: ", ")) \(abstract.count == 1 ? "is" : "are") declared without a body, so there is nothing to run"
            )
        }
        let unbound = free.filter { sizes[$0] == nil }.sorted()
        guard unbound.isEmpty else { throw ExecError.unboundSizes(unbound) }
    }

    /// A size with the free sizes bound.
    func size(_ e: SizeExpr) throws -> Int {
        do { return try e.evaluate(sizes) } catch let error as SizeError {
            throw ExecError.input(error.message)
        }
    }

    func shape(_ t: ArrayType) throws -> [Int] { try t.axes.map { try size($0.size) } }

    /// Bytes the values of one run will hold, estimated from the typed diagram before
    /// anything is allocated: every value of every (sub-)diagram, a sub-diagram's values
    /// multiplied by the sizes it is broadcast over, and the parameters; doubled when
    /// gradients are wanted.
    public func estimatedBytes(withGradients: Bool) throws -> Int {
        // Checked arithmetic: absurd sizes are refused as too large, never wrap or saturate
        // into a figure that would pass a limit.
        let tooLarge = ExecError.memory("`\(graph.name)` would need more than \(Int.max) bytes of values")
        func times(_ a: Int, _ b: Int) throws -> Int {
            let (v, o) = a.multipliedReportingOverflow(by: b)
            if o { throw tooLarge }
            return v
        }
        func plus(_ a: Int, _ b: Int) throws -> Int {
            let (v, o) = a.addingReportingOverflow(b)
            if o { throw tooLarge }
            return v
        }
        func bytes(of type: ArrayType) throws -> Int { try times(try shape(type).reduce(1, times), 4) }
        func bytes(_ g: DiagramGraph) throws -> Int {
            // A load's output is the saved value itself.
            let stored = g.values.filter { v in
                g.producer(of: v.id).map { !g.operations[$0].kind.isMemoryAccess } ?? true
            }
            var total = try stored.reduce(0) { try plus($0, try bytes(of: $1.type)) }
            for op in g.operations {
                total = try op.parameters.reduce(total) { try plus($0, try bytes(of: $1.type)) }
                if case .call(let child) = op.kind {
                    let copies = try op.broadcast.reduce(1) { try times($0, try size($1.size)) }
                    total = try plus(total, try times(try bytes(child), copies))
                }
            }
            return total
        }
        let once = try bytes(graph)
        return withGradients ? try times(once, 2) : once
    }

    /// Each input's name, axes and shape, in signature order.
    public func inputShapes() throws -> [(name: String, axes: [String], shape: [Int])] {
        try graph.inputs.map { id in
            let v = graph.values[id]
            return (v.name ?? "input\(id)", v.type.names, try shape(v.type))
        }
    }

    /// How an entry input is read as integer ids: how many values it may take (classes,
    /// table rows) and, for the targets of a `cross_entropy`, the class axis it indexes.
    public struct IDUse: Equatable {
        public let count: Int
        public let classAxis: String?
    }

    /// The entry inputs read as integer ids: the class labels of `cross_entropy` and the ids
    /// of `embed` and `gather`, also inside the diagrams they are passed to.
    public func idInputs() throws -> [ValueID: IDUse] {
        var uses: [ValueID: IDUse] = [:]
        // `origin` maps a graph's values to the entry diagram's inputs they are.
        func visit(_ g: DiagramGraph, _ origin: [ValueID: ValueID]) throws {
            for op in g.operations {
                func ids(_ value: ValueID, below count: SizeExpr?, classAxis: String? = nil) throws {
                    if let input = origin[value], let count {
                        uses[input] = IDUse(count: try size(count), classAxis: classAxis)
                    }
                }
                switch op.kind {
                case .crossEntropy(let axis, true):
                    try ids(op.inputs[1], below: g.type(of: op.inputs[0]).axis(named: axis)?.size, classAxis: axis)
                case .embedding(let table, _): try ids(op.inputs[0], below: table.size)
                case .gather(let axis): try ids(op.inputs[1], below: g.type(of: op.inputs[0]).axis(named: axis)?.size)
                case .call(let child):
                    var inner: [ValueID: ValueID] = [:]
                    for (arg, param) in zip(op.inputs, child.inputs) { inner[param] = origin[arg] }
                    try visit(child, inner)
                default: break
                }
            }
        }
        try visit(graph, Dictionary(uniqueKeysWithValues: graph.inputs.map { ($0, $0) }))
        return uses
    }

    /// Seeded random inputs: uniform in [−1, 1), or integer ids below their count where an
    /// input is read as ids (``idInputs()``). An integer input whose count cannot be traced
    /// (read as ids only after a call or a move) gets 0s and 1s, valid ids of any table.
    public func randomInputs() throws -> [Tensor<Float>] {
        let ids = try idInputs()
        return try graph.inputs.enumerated().map { i, id in
            let s = try shape(graph.type(of: id))
            let integers = graph.type(of: id).element == .integer
            if let n = ids[id]?.count ?? (integers ? 2 : nil) {
                var rng = SplitMix64(seed: seed &+ UInt64(i) &* 7919)
                return try Tensor(shape: s, (0..<s.reduce(1, *)).map { _ in Float(rng.next() % UInt64(n)) })
            }
            return try Tensor.uniform(shape: s, seed: seed &+ UInt64(i) &* 7919 &+ 1)
        }
    }

    /// Runs forward. Inputs are in signature order with the axes their types declare; the
    /// outputs come back likewise.
    public func run(_ inputs: [Variable<Float>]) throws -> [Variable<Float>] {
        guard inputs.count == graph.inputs.count else {
            throw ExecError.input("`\(graph.name)` takes \(graph.inputs.count) inputs, but \(inputs.count) were given")
        }
        var named: [Named] = []
        for (id, x) in zip(graph.inputs, inputs) {
            let type = graph.type(of: id)
            let expected = try shape(type)
            guard x.shape == expected else {
                let got = x.shape.map(String.init).joined(separator: "×")
                throw ExecError.input(
                    "input `\(graph.values[id].name ?? "?")` should be \(type) = \(expected), but has shape [\(got)]")
            }
            named.append(Named(variable: x, axes: type.names))
        }
        let outputs = try execute(graph, named)
        return try zip(graph.outputs, outputs).map { id, value in try value.ordered(graph.type(of: id).names).variable }
    }

    /// The parameter a graph declares, created on first use.
    func parameter(_ p: Parameter) throws -> Variable<Float> {
        if let existing = parameters[p.name] { return inference ? Variable(existing.value) : existing }
        let s = try shape(p.type)
        let tensor: Tensor<Float>
        switch p.initializer {
        case .kaimingUniform(let fanIn):
            let bound = 1 / Float(try size(fanIn)).squareRoot()
            tensor = try Tensor.uniform(shape: s, low: -bound, high: bound, seed: seed ^ Self.hash(p.name))
        case .ones: tensor = try Tensor(shape: s, repeating: 1)
        case .normal(let std): tensor = try Tensor.normal(shape: s, std: Float(std), seed: seed ^ Self.hash(p.name))
        case .zeros: tensor = try Tensor(shape: s)
        }
        // Buffers (running statistics) are state, not trained: no gradient is recorded.
        let v = Variable(tensor, requiresGrad: p.role.isTrainable)
        parameters[p.name] = v
        parameterNames.append(p.name)
        return inference ? Variable(tensor) : v
    }

    /// A buffer's own variable, created on first use, to be read and updated in place.
    func buffer(_ p: Parameter) throws -> Variable<Float> {
        _ = try parameter(p)
        guard let v = parameters[p.name] else { throw ExecError.internalError("no buffer `\(p.name)`") }
        return v
    }

    /// The parameters an operation uses by role, its own or those of the instance it shares
    /// (the same tensors, found by the same names).
    func parameters(of op: Operation, roles: [ParameterRole]) throws -> [Variable<Float>?] {
        try roles.map { role in try op.parameter(role).map(parameter) }
    }

    /// FNV-1a of a name: a parameter's random values depend on its name and the seed, not
    /// on the order parameters are created.
    static func hash(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// Runs one graph on named inputs.
    func execute(_ g: DiagramGraph, _ inputs: [Named]) throws -> [Named] {
        var values: [ValueID: Named] = [:]
        for (id, x) in zip(g.inputs, inputs) { values[id] = x }
        let fused = fusions(of: g)
        for (index, op) in g.operations.enumerated() {
            let args = try op.inputs.map { id -> Named in
                guard let v = values[id] else {
                    throw ExecError.internalError("value \(id) of `\(g.name)` used before it is made")
                }
                return v
            }
            let results: [Named]
            do {
                if fused.folded.contains(index) {
                    results = args
                } else if let scale = fused.einsumScale[index] {
                    results = [try contract(op, args, in: g, scale: scale)]
                } else {
                    results = try apply(op, args, in: g)
                }
            } catch let error as TensorError {
                throw ExecError.tensor(op.kind.mnemonic, error)
            }
            if checkNumerics {
                for r in results {
                    if let bad = r.variable.value.firstNonFinite {
                        throw ExecError.nonFinite(
                            operation: op.kind.mnemonic, instance: op.instancePath, location: op.location, value: bad)
                    }
                }
            }
            for (id, r) in zip(op.outputs, results) { values[id] = r }
        }
        return try g.outputs.map { id in
            guard let v = values[id] else { throw ExecError.internalError("output \(id) of `\(g.name)` never made") }
            return v
        }
    }
}

extension Executor {
    /// What a run differentiates: the first output when it is a scalar (a diagram used for
    /// training returns its loss first, then whatever else it reports), otherwise the sum of
    /// every output's elements. Returns the loss and how it was chosen, in words.
    public static func objective(_ outputs: [Variable<Float>]) throws -> (loss: Variable<Float>, chosen: String)? {
        guard let first = outputs.first else { return nil }
        if first.value.count == 1, first.value.rank == 0 {
            return (first, outputs.count == 1 ? "the scalar output" : "the first output, a scalar")
        }
        var loss = try first.sumAll()
        for o in outputs.dropFirst() { loss = try loss + o.sumAll() }
        return (loss, "sum of the outputs")
    }
}
