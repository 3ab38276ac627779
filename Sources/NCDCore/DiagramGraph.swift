/// A size parameter of one instantiation: `s = 2`, with the argument as the caller wrote it.
public struct SizeArgument: Hashable, Sendable {
    public let name: String
    public let value: SizeExpr
    /// The caller's expression (`64 * 2^λ`), or nil where the parameter took its default.
    public let written: WrittenFormula?

    public init(name: String, value: SizeExpr, written: WrittenFormula?) {
        self.name = name
        self.value = value
        self.written = written
    }
}

/// A typed diagram: a graph of operations over values, with sub-diagrams nested in calls.
/// Checking builds it through ``Builder`` and nothing changes it afterwards; running,
/// rendering, cost analysis and export read it.
///
/// Invariants (``validate()`` checks them; the builder keeps them):
/// - `values[i].id == i`; each value is produced once, by a diagram input or by one
///   operation's output;
/// - operations are in topological order: an operation's inputs are diagram inputs or
///   outputs of earlier operations;
/// - a value's axes have distinct names;
/// - each loop's iterations cover consecutive operations, nested loops within an
///   iteration of their parent, and every operation's loop frames name those loops;
/// - a `save` has one input and no outputs, a `load` one input and one output of its type.
public final class DiagramGraph: Hashable, @unchecked Sendable {
    /// The diagram's name.
    public let name: String
    /// Size parameters of this instantiation, e.g. `s = 2`.
    public let sizeArguments: [SizeArgument]
    public let values: [Value]
    public let operations: [Operation]
    public let inputs: [ValueID]
    public let outputs: [ValueID]
    /// The loops of this diagram's body (not its sub-diagrams'), outermost first.
    public let loops: [Loop]
    /// The regions of its body, in the order the source opens them.
    public let regions: [Region]
    /// For each value, the operation that produces it (nil for a diagram input).
    private let producers: [Int?]
    /// For each value, the operations that read it, in order (an operation reading it twice
    /// appears twice).
    private let consumerLists: [[Int]]

    init(
        name: String, sizeArguments: [SizeArgument], values: [Value], operations: [Operation],
        inputs: [ValueID], outputs: [ValueID], loops: [Loop], regions: [Region] = []
    ) {
        self.regions = regions
        self.name = name
        self.sizeArguments = sizeArguments
        self.values = values
        self.operations = operations
        self.inputs = inputs
        self.outputs = outputs
        self.loops = loops
        var producers = [Int?](repeating: nil, count: values.count)
        var consumers = [[Int]](repeating: [], count: values.count)
        for (i, op) in operations.enumerated() {
            for v in op.outputs where v < values.count { producers[v] = i }
            for v in op.inputs where v < values.count { consumers[v].append(i) }
        }
        self.producers = producers
        self.consumerLists = consumers
    }

    public func type(of id: ValueID) -> ArrayType { values[id].type }

    /// The index of the operation that produces a value; nil for a diagram input.
    public func producer(of id: ValueID) -> Int? { producers[id] }

    /// The indices of the operations that read a value, in order.
    public func consumers(of id: ValueID) -> [Int] { consumerLists[id] }

    /// Every parameter of this diagram and its sub-diagrams, in order, each once: an
    /// operation that shares another's parameters contributes none.
    public var allParameters: [Parameter] {
        operations.flatMap { op -> [Parameter] in
            if op.sharedFrom != nil { return [] }
            if case .call(let child) = op.kind { return op.parameters + child.allParameters }
            return op.parameters
        }
    }

    public static func == (a: DiagramGraph, b: DiagramGraph) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
