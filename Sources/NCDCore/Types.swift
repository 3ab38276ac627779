/// A wire: a named axis with its size. Two axes are the same wire type only if both the
/// name and the size agree (`h` of size 32 and `h` of size `32/2` are different).
public struct Axis: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    /// Changing the size forgets the written one, which no longer describes it (a
    /// concatenation's `ch` is not the `base * 2^λ` of its first input).
    public var size: SizeExpr {
        didSet { if size != oldValue { writtenSize = nil } }
    }
    /// The size as the source wrote it where it was written (`[c: 64 * 2^λ]`, a derived
    /// `axis d = h * k`), else nil. It travels with the wire for pictures, and is no part
    /// of the wire's identity: equality and hashing read the name and size alone.
    public var writtenSize: WrittenFormula?

    public init(_ name: String, _ size: SizeExpr, written: WrittenFormula? = nil) {
        self.name = name
        self.size = size
        self.writtenSize = written
    }

    public static func == (a: Axis, b: Axis) -> Bool { a.name == b.name && a.size == b.size }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(size)
    }

    /// `y:20`, or just `y` when the size is the free size of the same name.
    public var description: String {
        size == .symbol(name) ? name : "\(name):\(size.description)"
    }
}

/// An array: an ordered list of distinct axes. The order is the wire order of the picture
/// and the memory layout of the runtime.
public struct ArrayType: Hashable, Sendable, CustomStringConvertible {
    public var axes: [Axis]
    /// What the elements are: real numbers, or whole numbers (token ids, class labels).
    public var element: ElementKind

    public init(_ axes: [Axis], element: ElementKind = .float) {
        self.axes = axes
        self.element = element
    }

    /// The scalar type, with no axes.
    public static let scalar = ArrayType([])

    public var names: [String] { axes.map(\.name) }

    /// The axis with this name, if present.
    public func axis(named name: String) -> Axis? { axes.first { $0.name == name } }

    public func contains(_ name: String) -> Bool { axes.contains { $0.name == name } }

    /// Whether `other` has the same axes, each of the same size, in any order.
    public func hasAxes(of other: ArrayType) -> Bool {
        axes.count == other.axes.count && other.axes.allSatisfy { axis(named: $0.name)?.size == $0.size }
    }

    /// The number of elements, the product of the sizes.
    public func elementCount() throws -> SizeExpr {
        try axes.reduce(SizeExpr.one) { try $0 * $1.size }
    }

    /// `[y:20, k:16]`, or `int[b:2, t:8]` for whole numbers.
    public var description: String {
        (element == .integer ? "int" : "") + "[" + axes.map(\.description).joined(separator: ", ") + "]"
    }
}

/// The elements of an array: real numbers, or whole numbers that index something (token
/// ids, class labels), written `int[b, t]`. Whole numbers are only moved (indexed, sliced,
/// rearranged, concatenated, passed to calls) or read as ids; nothing computes with them.
public enum ElementKind: Hashable, Sendable {
    case float
    case integer
}
