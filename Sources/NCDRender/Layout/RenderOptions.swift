/// What to draw: which sub-diagrams to open, what to annotate, which colours.
public struct RenderOptions: Sendable {
    /// What wires and boxes are annotated with.
    public enum Annotation: String, CaseIterable, Sendable {
        /// Axis names only, as the paper labels wires.
        case names
        /// Axis names with their sizes (`m = 128`).
        case shapes
        /// Names, plus each operation's FLOPs and output memory under its box.
        case cost
    }

    /// Sub-diagrams opened in place; the rest are drawn as 3-D boxes.
    public var expand: Set<String> = []
    /// Opens every sub-diagram (up to `depth`).
    public var expandAll = false
    /// Calls nested deeper than this stay boxes.
    public var depth = Int.max
    public var annotation: Annotation = .names
    public var theme: Theme = .paper
    /// Draws the diagram's name above it.
    public var title = true
    /// Draws every iteration of a loop between its brackets, instead of one iteration with
    /// the loop's bounds as written (the paper's way, whose size does not grow with N).
    public var unroll = false
    /// Draws a saved and loaded value as one wire from the save to the load, instead of the
    /// paper's memory marks (`→ C_λ`, `C_{5−λ} →`).
    public var memoryAsWires = false
    /// A diagram wider than this many times its height is wrapped into rows (nil: never).
    public var maxAspect: Double? = 4
    /// When set, the picture is wrapped into rows so that it is at most this wide, in points
    /// (margins included), where its columns allow, instead of following `maxAspect`.
    public var rowWidth: Double?

    public init() {}

    /// Whether a call of `name` at nesting `level` (0 for the top diagram's calls) is opened.
    func opens(_ name: String, level: Int) -> Bool {
        level < depth && (expandAll || expand.contains(name))
    }
}
