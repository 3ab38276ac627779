/// Identifies a region within one ``DiagramGraph``: its index in ``DiagramGraph/regions``.
public typealias RegionID = Int

/// A `region "Title" note "…" { … }` of the source: statements grouped for the picture,
/// drawn as a titled pastel region around what they make, with a call-out note beside it
/// (the paper's "Double Convolution" and "The C_λ values are saved to memory…"). It changes
/// nothing that runs. A region inside a loop is one region per iteration.
public struct Region: Hashable, Sendable {
    public let id: RegionID
    /// The title written over the region; nil for a note alone.
    public let title: String?
    /// The call-out note attached to it, if any.
    public let note: String?
    /// The region this one is written in, if any.
    public let parent: RegionID?
    public let location: SourceSpan

    public init(id: RegionID, title: String?, note: String?, parent: RegionID?, location: SourceSpan) {
        self.id = id
        self.title = title
        self.note = note
        self.parent = parent
        self.location = location
    }
}
