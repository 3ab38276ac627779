/// Identifies a loop within one ``DiagramGraph``: its index in ``DiagramGraph/loops``.
public typealias LoopID = Int

/// A `for λ in lower..upper as label { … }` loop, kept as a loop: its index, bounds (as
/// evaluated and as written) and the operations each iteration contributed. The graph's
/// operations hold the body instantiated once per iteration, which is what runs; a picture
/// or an export reads one iteration and the bounds.
public struct Loop: Hashable, Sendable {
    public let id: LoopID
    /// The loop's label, the instance-path segment of its iterations (`units` in `units.0`).
    public let label: String
    /// Whether the user wrote `as label`.
    public let labelIsChosen: Bool
    /// The loop variable, `λ`.
    public let variable: String
    public let lower: Int
    public let upper: Int
    /// The bounds as written, `1` and `N - 1`.
    public let writtenLower: WrittenFormula
    public let writtenUpper: WrittenFormula
    /// The loop this one is nested in, if any.
    public let parent: LoopID?
    /// Each iteration's index and the operations it added, in order.
    public internal(set) var iterations: [LoopIteration]
    public let location: SourceSpan

    public init(
        id: LoopID, label: String, labelIsChosen: Bool, variable: String, lower: Int, upper: Int,
        writtenLower: WrittenFormula, writtenUpper: WrittenFormula, parent: LoopID?, location: SourceSpan
    ) {
        self.id = id
        self.label = label
        self.labelIsChosen = labelIsChosen
        self.variable = variable
        self.lower = lower
        self.upper = upper
        self.writtenLower = writtenLower
        self.writtenUpper = writtenUpper
        self.parent = parent
        self.iterations = []
        self.location = location
    }
}

/// One iteration of a ``Loop``: the index and the operations (by position in the graph's
/// operation list) that this iteration's body produced, nested loops' operations included.
public struct LoopIteration: Hashable, Sendable {
    public let index: Int
    public internal(set) var operations: Range<Int>
}

/// One iteration of a loop an operation sits in.
public struct LoopFrame: Hashable, Sendable {
    /// The loop, in the graph that holds the operation.
    public var loop: LoopID
    /// The loop's label (its instance name prefix).
    public var label: String
    /// The loop variable and its value in this iteration.
    public var variable: String
    public var index: Int
    /// The iteration's position, from 0: the segment of instance paths, as PyTorch's
    /// `nn.ModuleList` numbers its entries (`units.0` for λ = 1).
    public var ordinal: Int

    public init(loop: LoopID, label: String, variable: String, index: Int, ordinal: Int) {
        self.loop = loop
        self.label = label
        self.variable = variable
        self.index = index
        self.ordinal = ordinal
    }
}
