import NCDCore

/// A tensor of the ONNX graph with the names of its axes in physical order, and their
/// sizes, as ncd's runtime tracks them (`NCDExec.Named`).
struct OnnxValue {
    var name: String
    var axes: [String]
    var extents: [SizeExpr]

    func position(of axis: String) throws -> Int {
        guard let i = axes.firstIndex(of: axis) else {
            throw ExportError("internal error: axis `\(axis)` missing from \(axes)")
        }
        return i
    }

    func extent(of axis: String) throws -> SizeExpr { extents[try position(of: axis)] }
}

/// The layout moves of ``NCDExec/Named`` as ONNX nodes, each giving the layout the
/// runtime's gives.
extension OnnxGraph {
    /// The same data with axes in the given order.
    func ordered(_ v: OnnxValue, _ order: [String]) throws -> OnnxValue {
        guard order != v.axes else { return v }
        let permutation = try order.map { try v.position(of: $0) }
        let name = op("Transpose", [v.name], name: "permuted", [.ints("perm", permutation)])
        return OnnxValue(name: name, axes: order, extents: permutation.map { v.extents[$0] })
    }

    /// Laid out along `target` (a superset of its axes), size 1 where it lacks one.
    func spread(_ v: OnnxValue, to target: [String]) throws -> OnnxValue {
        let ordered = try self.ordered(v, target.filter { v.axes.contains($0) })
        let missing = target.enumerated().filter { !v.axes.contains($0.element) }.map(\.offset)
        guard !missing.isEmpty else { return ordered }
        let name = op("Unsqueeze", [ordered.name, int64s(missing)], name: "spread")
        let extents = try target.map { v.axes.contains($0) ? try v.extent(of: $0) : SizeExpr.one }
        return OnnxValue(name: name, axes: target, extents: extents)
    }

    /// A reshape to `extents`, under new axis names.
    func reshaped(_ v: OnnxValue, _ axes: [String], _ extents: [SizeExpr]) throws -> OnnxValue {
        OnnxValue(name: op("Reshape", [v.name, try shape(extents)], name: "reshaped"), axes: axes, extents: extents)
    }

    /// `group` moved to the end and merged into one axis, and how to undo that.
    func mergingToEnd(_ v: OnnxValue, _ group: [String], as merged: String) throws -> (
        OnnxValue, undo: (OnnxValue) throws -> OnnxValue
    ) {
        let rest = v.axes.filter { !group.contains($0) }
        let moved = try ordered(v, rest + group)
        let restExtents = Array(moved.extents.prefix(rest.count))
        let groupExtents = Array(moved.extents.suffix(group.count))
        let product = try groupExtents.reduce(SizeExpr.one) { try $0 * $1 }
        let flat =
            group.count == 1
            ? OnnxValue(name: moved.name, axes: rest + [merged], extents: moved.extents)
            : try reshaped(moved, rest + [merged], restExtents + [product])
        let original = v.axes
        return (
            flat,
            { result in
                let restOut = Array(result.extents.dropLast())
                let back =
                    group.count == 1
                    ? OnnxValue(name: result.name, axes: rest + group, extents: restOut + groupExtents)
                    : try self.reshaped(result, rest + group, restOut + groupExtents)
                return try self.ordered(back, original)
            }
        )
    }

    /// Values that must share their axes, each expanded along the axes another carries.
    func aligningCarriedAxes(_ values: [OnnxValue], except: String? = nil) throws -> [OnnxValue] {
        var extents: [(name: String, size: SizeExpr)] = []
        for v in values {
            for (a, n) in zip(v.axes, v.extents) where a != except && !extents.contains(where: { $0.name == a }) {
                extents.append((a, n))
            }
        }
        return try values.map { v in
            let missing = extents.filter { !v.axes.contains($0.name) }
            guard !missing.isEmpty else { return v }
            let spread = try self.spread(v, to: missing.map(\.name) + v.axes)
            let full = missing.map(\.size) + v.extents
            let name = op("Expand", [spread.name, try shape(full)], name: "expanded")
            return OnnxValue(name: name, axes: spread.axes, extents: full)
        }
    }
}
