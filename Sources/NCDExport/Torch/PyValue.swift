/// A value of a generated forward: a Python expression and the names of its axes in
/// physical order, as ncd's runtime tracks them (`NCDExec.Named`). Operations find axes by
/// name, so the generated code permutes exactly where the runtime does and computes the
/// same numbers.
struct PyValue {
    var expr: String
    var axes: [String]
    /// Whether `expr` can take a method call as it is (`x`, `x.permute(1, 0)`), unlike `a + b`.
    var isAtomic = true

    /// Whether `expr` is a plain variable, whose shape a later line may read.
    var isVariable: Bool {
        !expr.isEmpty && !expr.first!.isNumber
            && expr.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
            }
    }

    /// `expr`, in parentheses unless atomic.
    var operand: String { isAtomic ? expr : "(\(expr))" }

    /// `operand.method(arguments)`.
    func calling(_ method: String, _ arguments: String = "", axes: [String]? = nil) -> PyValue {
        PyValue(expr: "\(operand).\(method)(\(arguments))", axes: axes ?? self.axes)
    }

    func position(of axis: String) throws -> Int {
        guard let i = axes.firstIndex(of: axis) else {
            throw ExportError("internal error: axis `\(axis)` missing from \(axes)")
        }
        return i
    }
}

/// The layout moves of ``NCDExec/Named``, as Python: each returns the same layout the
/// runtime's does, so every later operation sees the axes where the runtime has them.
extension PyValue {
    /// The same data with axes in the given order.
    func ordered(_ order: [String]) throws -> PyValue {
        guard order != axes else { return self }
        let permutation = try order.map { try position(of: $0) }
        return calling("permute", permutation.map(String.init).joined(separator: ", "), axes: order)
    }

    /// Laid out along `target` (a superset of its axes), size 1 where it lacks one.
    func spread(to target: [String]) throws -> PyValue {
        let ordered = try self.ordered(target.filter { axes.contains($0) })
        var items = target.map { axes.contains($0) ? ":" : "None" }
        guard items.contains("None") else { return ordered }
        while items.last == ":" { items.removeLast() }
        return PyValue(expr: "\(ordered.operand)[\(items.joined(separator: ", "))]", axes: target)
    }

    /// `group` moved to the end and merged into one axis named `merged`, and how to undo
    /// that. `self` must be a variable: the undo reads the group's extents from its shape.
    func mergingToEnd(_ group: [String], as merged: String) throws -> (PyValue, undo: (PyValue) throws -> PyValue) {
        let rest = axes.filter { !group.contains($0) }
        let moved = try ordered(rest + group)
        let flat: PyValue
        switch group.count {
        case 0: flat = moved.calling("unsqueeze", "-1", axes: rest + [merged])
        case 1: flat = PyValue(expr: moved.expr, axes: rest + [merged], isAtomic: moved.isAtomic)
        default: flat = moved.calling("flatten", "\(rest.count)", axes: rest + [merged])
        }
        let extents = try group.map { "\(expr).shape[\(try position(of: $0))]" }
        let original = axes
        return (
            flat,
            { result in
                let back: PyValue
                switch group.count {
                case 0: back = result.calling("squeeze", "-1", axes: rest)
                case 1: back = PyValue(expr: result.expr, axes: rest + group, isAtomic: result.isAtomic)
                default:
                    back = result.calling("unflatten", "-1, \(PythonLiteral.tuple(extents))", axes: rest + group)
                }
                return try back.ordered(original)
            }
        )
    }

    /// Values that must share their axes (a concatenation's parts, a loss's operands), each
    /// expanded along the axes another carries and it lacks (as the runtime copies it).
    /// The values must be variables: extents are read from their shapes.
    static func aligningCarriedAxes(_ values: [PyValue], except: String? = nil) throws -> [PyValue] {
        var extents: [(name: String, size: String)] = []
        for v in values {
            for (i, a) in v.axes.enumerated() where a != except && !extents.contains(where: { $0.name == a }) {
                extents.append((a, "\(v.expr).shape[\(i)]"))
            }
        }
        return try values.map { v in
            let missing = extents.filter { !v.axes.contains($0.name) }
            guard !missing.isEmpty else { return v }
            let spread = try v.spread(to: missing.map(\.name) + v.axes)
            let sizes = missing.map(\.size) + Array(repeating: "-1", count: v.axes.count)
            return spread.calling("expand", sizes.joined(separator: ", "))
        }
    }
}
