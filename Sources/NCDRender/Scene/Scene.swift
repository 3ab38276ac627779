/// What the layout produces and every backend draws: shapes in paint order, the full
/// extent, and a record of what each shape means, so tests can check the picture's
/// structure (ports, labels, boxes, crossings) rather than its bytes.
public struct Scene: Sendable {
    /// The drawing's size; shapes lie within (0, 0)–(width, height).
    public var width: Double
    public var height: Double
    public var background: Color
    /// Shapes in paint order: fills, wires, boxes, dots, then labels.
    public var shapes: [Shape]

    /// Every wire segment between two columns, from an output port to an input port.
    public var wires: [WireRecord]
    /// Every port: where a wire meets a column.
    public var ports: [Point]
    /// Operations, frames and other solid marks that labels must not cover.
    public var boxes: [BoxRecord]
    /// Axis labels, each naming the wire it sits on.
    public var labels: [LabelRecord]
    /// Broadcast wires drawn over the operation they are broadcast over.
    public var broadcastPasses: [BroadcastRecord]
    /// The x-ranges of columns that reorder wires (rearrangements, contractions, copies of
    /// tuple segments into new places): the only places wires may cross.
    public var reorderRegions: [ClosedRange<Double>]
    /// Brackets drawn around the columns of an unrolled loop.
    public var repetitions: [RepetitionRecord]
    /// Figure annotations: titled regions and their call-out notes.
    public var regions: [RegionRecord]

    public init(width: Double, height: Double, background: Color) {
        self.width = width
        self.height = height
        self.background = background
        self.shapes = []
        self.wires = []
        self.ports = []
        self.boxes = []
        self.labels = []
        self.broadcastPasses = []
        self.reorderRegions = []
        self.repetitions = []
        self.regions = []
    }
}

/// A wire segment in a gap between columns.
public struct WireRecord: Hashable, Sendable {
    /// The axis the wire carries.
    public var axis: String
    /// Identifies the wire bundle (one use of a value) the segment belongs to.
    public var track: Int
    public var start: Point
    public var end: Point
    /// The drawn path.
    public var path: PathShape
}

/// A solid mark: an operation's box or glyph, or a frame.
public struct BoxRecord: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case operation, frame }

    public var kind: Kind
    public var name: String
    public var rect: Rect
}

/// An axis label and the wire it names.
public struct LabelRecord: Hashable, Sendable {
    public var axis: String
    public var track: Int
    public var rect: Rect
    /// The y of the wire under it where the label starts.
    public var wireY: Double
    /// What it says.
    public var text: RichText
}

/// A wire that passes over an operation without entering it.
public struct BroadcastRecord: Hashable, Sendable {
    public var axis: String
    /// The operation's box.
    public var box: Rect
    public var path: PathShape
    /// Its index in `Scene.shapes`, which is after the box's.
    public var shapeIndex: Int
    public var boxShapeIndex: Int
}

/// A loop drawn as repetition: its two brackets and its bounds.
public struct RepetitionRecord: Hashable, Sendable {
    public var variable: String
    /// The loop's indices, first to last.
    public var indices: ClosedRange<Int>
    public var brackets: [PathShape]
    /// The bounds as written beside the brackets (`1` and `N − 1`, or their values unrolled).
    public var lowerBound: String
    public var upperBound: String

    public init(variable: String, indices: ClosedRange<Int>, brackets: [PathShape], bounds: (String, String)) {
        self.variable = variable
        self.indices = indices
        self.brackets = brackets
        (lowerBound, upperBound) = bounds
    }
}

/// A `region` or `note` of the source as drawn: the pastel region around what its
/// statements draw (none for a note alone), its title, and its call-out note.
public struct RegionRecord: Hashable, Sendable {
    public var title: String?
    /// The filled region; nil for a note alone.
    public var rect: Rect?
    /// What the region is drawn around: its operations' marks and their wires' labels.
    public var content: Rect
    /// The marks of the operations in it.
    public var members: [Rect]
    /// The note's text and its box, once placed.
    public var noteText: String?
    public var note: Rect?

    public init(title: String?, rect: Rect?, content: Rect, members: [Rect], noteText: String?, note: Rect?) {
        self.title = title
        self.noteText = noteText
        self.rect = rect
        self.content = content
        self.members = members
        self.note = note
    }

    func moved(_ dx: Double, _ dy: Double) -> RegionRecord {
        RegionRecord(
            title: title, rect: rect?.moved(dx, dy), content: content.moved(dx, dy),
            members: members.map { $0.moved(dx, dy) }, noteText: noteText, note: note?.moved(dx, dy))
    }
}
