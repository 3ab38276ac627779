/// A wire: a named axis with its size. Two axes are the same wire type only if both the
/// name and the size agree (`h` of size 32 and `h` of size `32/2` are different).
public struct Axis: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var size: SizeExpr

    public init(_ name: String, _ size: SizeExpr) {
        self.name = name
        self.size = size
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

    public init(_ axes: [Axis]) {
        self.axes = axes
    }

    /// The scalar type, with no axes.
    public static let scalar = ArrayType([])

    public var names: [String] { axes.map(\.name) }

    /// The axis with this name, if present.
    public func axis(named name: String) -> Axis? { axes.first { $0.name == name } }

    public func contains(_ name: String) -> Bool { axes.contains { $0.name == name } }

    /// The number of elements, the product of the sizes.
    public func elementCount() throws -> SizeExpr {
        try axes.reduce(SizeExpr.one) { try $0 * $1.size }
    }

    /// `[y:20, k:16]`.
    public var description: String { "[" + axes.map(\.description).joined(separator: ", ") + "]" }
}
