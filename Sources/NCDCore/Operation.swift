/// Identifies a value (a wire bundle) within one ``DiagramGraph``.
public typealias ValueID = Int

/// A value: the output of an operation or an input of the diagram.
public struct Value: Hashable, Sendable {
    public let id: ValueID
    /// Its type; the builder may add written sizes (for pictures), never change it.
    public internal(set) var type: ArrayType
    /// The name it was bound to in the source, if any.
    public internal(set) var name: String?
    /// Where it was produced or declared.
    public let location: SourceSpan
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

/// The instance an operation is: its dotted path, the last segment of it, and whether the
/// user chose that name (`as Q`) or the checker made one up (`linear2`). Pictures write
/// only chosen names; parameters are named from the path.
public struct InstanceLabel: Hashable, Sendable, CustomStringConvertible {
    /// `encoder.attn.q`.
    public let path: String
    /// `q`: the segment the user wrote or the checker chose.
    public let name: String
    /// Whether `as NAME` (or `shares NAME`) wrote it.
    public let isChosen: Bool

    public init(path: String, name: String, isChosen: Bool) {
        self.path = path
        self.name = name
        self.isChosen = isChosen
    }

    public var description: String { path }
}

/// A slot of the paper's memory, `C[λ]`: its name, the index as evaluated and as written.
public struct MemorySlot: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let index: Int
    public let writtenIndex: WrittenFormula

    public init(name: String, index: Int, writtenIndex: WrittenFormula) {
        self.name = name
        self.index = index
        self.writtenIndex = writtenIndex
    }

    /// `C[2]`.
    public var description: String { "\(name)[\(index)]" }
}

/// One operation of a typed diagram.
public struct Operation: Hashable, Sendable {
    public let kind: OperationKind
    public let inputs: [ValueID]
    public let outputs: [ValueID]
    /// Axes the operation is broadcast over (carried by some input, not acted on).
    public let broadcast: [Axis]
    /// The learned tensors this operation uses, owned or (when ``sharedFrom`` is set)
    /// another instance's. A call's parameters live in its sub-diagram.
    public let parameters: [Parameter]
    /// The instance this operation is, for learned operations and calls; nil otherwise.
    public let instance: InstanceLabel?
    /// The instance whose parameters this operation reuses (`shares NAME`).
    public let sharedFrom: InstanceLabel?
    public let location: SourceSpan
    /// The loop iterations enclosing the operation, outermost first.
    public let loops: [LoopFrame]
    /// The regions the source writes it in, outermost first (for the picture only).
    public let regions: [RegionID]

    public init(
        kind: OperationKind, inputs: [ValueID], outputs: [ValueID], broadcast: [Axis], parameters: [Parameter],
        instance: InstanceLabel?, sharedFrom: InstanceLabel?, location: SourceSpan, loops: [LoopFrame],
        regions: [RegionID] = []
    ) {
        self.regions = regions
        self.kind = kind
        self.inputs = inputs
        self.outputs = outputs
        self.broadcast = broadcast
        self.parameters = parameters
        self.instance = instance
        self.sharedFrom = sharedFrom
        self.location = location
        self.loops = loops
    }

    /// The parameters this operation owns: none when it shares another's.
    public var ownedParameters: [Parameter] { sharedFrom == nil ? parameters : [] }

    /// The parameter playing `role`, if the operation has one.
    public func parameter(_ role: ParameterRole) -> Parameter? { parameters.first { $0.role == role } }

    /// The instance path, or "" for an operation that is no instance.
    public var instancePath: String { instance?.path ?? "" }
}
