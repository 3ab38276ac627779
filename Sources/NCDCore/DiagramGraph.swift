/// Identifies a value (a wire bundle) within one ``DiagramGraph``.
public typealias ValueID = Int

/// A value: the output of an operation or an input of the diagram.
public struct Value: Hashable, Sendable {
    public var id: ValueID
    public var type: ArrayType
    /// The name it was bound to in the source, if any.
    public var name: String?
    /// Where it was produced or declared.
    public var location: SourceSpan
}

/// A location in a source file, independent of the syntax module.
public struct SourceSpan: Hashable, Sendable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// How a parameter starts, as PyTorch initialises the same layer.
public enum Initializer: Hashable, Sendable {
    /// U(−1/√fanIn, 1/√fanIn): Kaiming-uniform with a = √5, PyTorch's default for weights
    /// and biases of linear and convolution layers.
    case kaimingUniform(fanIn: SizeExpr)
    case ones
    case zeros
}

/// A learned tensor, with a stable dotted name such as `encoder.attn.q.weight`.
public struct Parameter: Hashable, Sendable {
    public var name: String
    public var type: ArrayType
    public var initializer: Initializer

    public init(name: String, type: ArrayType, initializer: Initializer) {
        self.name = name
        self.type = type
        self.initializer = initializer
    }
}

/// One iteration of an unrolled loop an operation sits in.
public struct LoopFrame: Hashable, Sendable {
    /// The loop's label (its instance name prefix).
    public var label: String
    /// The loop variable and its value in this iteration.
    public var variable: String
    public var index: Int

    public init(label: String, variable: String, index: Int) {
        self.label = label
        self.variable = variable
        self.index = index
    }
}

/// One operation of a typed diagram.
public struct Operation: Hashable, Sendable {
    public var kind: OperationKind
    public var inputs: [ValueID]
    public var outputs: [ValueID]
    /// Axes the operation is broadcast over (carried by some input, not acted on).
    public var broadcast: [Axis]
    /// Learned tensors this operation owns (empty when it shares another's).
    public var parameters: [Parameter]
    /// The instance path of the operation, e.g. `encoder.attn.q`.
    public var instance: String
    /// Set when this operation reuses the parameters of the instance named here.
    public var sharesParametersWith: String?
    public var location: SourceSpan
    /// The loop iterations enclosing the operation, outermost first.
    public var loops: [LoopFrame]

    public init(
        kind: OperationKind, inputs: [ValueID], outputs: [ValueID], broadcast: [Axis], parameters: [Parameter],
        instance: String, sharesParametersWith: String?, location: SourceSpan, loops: [LoopFrame]
    ) {
        self.kind = kind
        self.inputs = inputs
        self.outputs = outputs
        self.broadcast = broadcast
        self.parameters = parameters
        self.instance = instance
        self.sharesParametersWith = sharesParametersWith
        self.location = location
        self.loops = loops
    }
}

/// A typed diagram: a graph of operations over values, with sub-diagrams nested in calls.
/// Checking builds it; running, rendering and cost analysis read it.
public final class DiagramGraph: Hashable, @unchecked Sendable {
    /// The diagram's name.
    public let name: String
    /// Size parameters of this instantiation, e.g. `s = 2`.
    public var sizeArguments: [(name: String, value: SizeExpr)] = []
    public var values: [Value] = []
    public var operations: [Operation] = []
    public var inputs: [ValueID] = []
    public var outputs: [ValueID] = []

    public init(name: String) {
        self.name = name
    }

    /// Adds a value and returns its id.
    public func addValue(_ type: ArrayType, name: String?, location: SourceSpan) -> ValueID {
        values.append(Value(id: values.count, type: type, name: name, location: location))
        return values.count - 1
    }

    public func type(of id: ValueID) -> ArrayType { values[id].type }

    /// Every parameter of this diagram and its sub-diagrams, in order, each once: an
    /// operation that shares another's parameters contributes none.
    public var allParameters: [Parameter] {
        operations.flatMap { op -> [Parameter] in
            if op.sharesParametersWith != nil { return [] }
            if case .call(let child) = op.kind { return op.parameters + child.allParameters }
            return op.parameters
        }
    }

    public static func == (a: DiagramGraph, b: DiagramGraph) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
