import NCDCore
import NCDTensor

/// A runtime value with the name of each of its axes, in physical order. Operations find
/// axes by name, so broadcasting follows the checker's names and never positions.
struct Named {
    var variable: Variable<Float>
    var axes: [String]

    var shape: [Int] { variable.shape }

    func index(of axis: String) throws -> Int {
        guard let i = axes.firstIndex(of: axis) else {
            throw ExecError.internalError("axis `\(axis)` missing from \(axes)")
        }
        return i
    }

    /// The same data with axes in the given order (a permutation of its own).
    func ordered(_ order: [String]) throws -> Named {
        guard order != axes else { return self }
        return Named(variable: try variable.permuted(try order.map(index)), axes: order)
    }

    /// `rearrange[from -> to]`, as einops reads it: an axis written on both sides (with its
    /// size) stays itself, so `a b -> b a` is a transpose, which for a value whose axes
    /// are found by name costs nothing. The other axes of `from`, read row-major in the
    /// written order, are the elements of the other axes of `to`, in theirs: a merge, a
    /// split or a rename. Where they already lie side by side in that order this is a
    /// reshape in place; otherwise they are moved to the end first.
    func rearranged(from: [String], to: [(name: String, size: Int)]) throws -> Named {
        let kept = Set(
            to.filter { t in from.contains(t.name) && axes.firstIndex(of: t.name).map { shape[$0] == t.size } == true }
                .map(\.name))
        let consumed = from.filter { !kept.contains($0) }
        let produced = to.filter { !kept.contains($0.name) }
        guard !consumed.isEmpty || !produced.isEmpty else { return self }
        if let first = consumed.first.flatMap(axes.firstIndex(of:)), axes[first...].starts(with: consumed) {
            let end = first + consumed.count
            let newShape = Array(shape[..<first]) + produced.map(\.size) + shape[end...]
            return Named(
                variable: try variable.reshapedVariable(newShape),
                axes: Array(axes[..<first]) + produced.map(\.name) + axes[end...])
        }
        let (moved, _) = try mergingToEnd(consumed, as: "§rearrange")
        let y = try moved.variable.reshapedVariable(Array(moved.shape.dropLast()) + produced.map(\.size))
        return Named(variable: y, axes: Array(moved.axes.dropLast()) + produced.map(\.name))
    }

    /// The value laid out along `axes` (a superset of its own), size 1 where it lacks one,
    /// for the runtime's broadcasting arithmetic.
    func spread(to axes: [String]) throws -> Variable<Float> {
        let ordered = try self.ordered(axes.filter { self.axes.contains($0) })
        let shape = axes.map { name in ordered.axes.firstIndex(of: name).map { ordered.shape[$0] } ?? 1 }
        return try ordered.variable.reshapedVariable(shape)
    }

    /// Values that must share their axes (a concatenation's parts, a loss's operands), each
    /// copied along the axes another carries and it lacks. Inside a diagram called `over`
    /// some axes, an argument that does not carry one is shared by every position of it
    /// (inner broadcasting); where it meets one that does, it is repeated along it. The
    /// copy is an addition to zeros, so its gradient is summed back. `except` names an axis
    /// whose size may differ between the values (the concatenated one).
    static func aligningCarriedAxes(_ values: [Named], except: String? = nil) throws -> [Named] {
        var extents: [(name: String, size: Int)] = []
        for v in values {
            for (a, n) in zip(v.axes, v.shape) where a != except && !extents.contains(where: { $0.name == a }) {
                extents.append((a, n))
            }
        }
        return try values.map { v in
            let missing = extents.filter { !v.axes.contains($0.name) }
            guard !missing.isEmpty else { return v }
            let axes = missing.map(\.name) + v.axes
            let zeros = Variable(try Tensor<Float>(shape: missing.map(\.size) + v.shape))
            return Named(variable: try zeros + v.spread(to: axes), axes: axes)
        }
    }

    /// Moves `group` (in that order) to the end, then merges it into one axis named
    /// `merged`; returns the result and how to undo it.
    func mergingToEnd(_ group: [String], as merged: String) throws -> (Named, undo: (Named) throws -> Named) {
        let rest = axes.filter { !group.contains($0) }
        let moved = try ordered(rest + group)
        let restShape = Array(moved.shape.prefix(rest.count))
        let groupShape = Array(moved.shape.suffix(group.count))
        let flat = try moved.variable.reshapedVariable(restShape + [groupShape.reduce(1, *)])
        let original = axes
        return (
            Named(variable: flat, axes: rest + [merged]),
            { result in
                let back = try result.variable.reshapedVariable(Array(result.shape.dropLast()) + groupShape)
                return try Named(variable: back, axes: rest + group).ordered(original)
            }
        )
    }
}

/// Failures while running a checked diagram.
public enum ExecError: Error, CustomStringConvertible {
    /// A free size has no value: bind it with `--size` or an input file.
    case unboundSizes([String])
    /// The checked diagram uses something the runtime cannot run yet.
    case unsupported(String)
    /// An input has the wrong shape.
    case input(String)
    /// A tensor operation failed (names the shapes).
    case tensor(String, TensorError)
    /// An operation produced NaN or infinity (with numerics checking on).
    case nonFinite(operation: String, instance: String, location: SourceSpan, value: String)
    /// The run would not fit in memory (said before anything is allocated).
    case memory(String)
    /// Training diverged: the loss is no longer a number.
    case diverged(String)
    /// A bug: the checker and the runtime disagree.
    case internalError(String)

    public var description: String {
        switch self {
        case .unboundSizes(let names):
            return
                "free size\(names.count == 1 ? "" : "s") \(names.map { "`\($0)`" }.joined(separator: ", ")) must be bound: use --size \(names[0])=N"
        case .unsupported(let what): return "not supported by the runtime yet: \(what)"
        case .input(let why): return why
        case .tensor(let op, let error): return "`\(op)`: \(error)"
        case .nonFinite(let op, let instance, _, let value):
            return "`\(op)`\(instance.isEmpty ? "" : " (\(instance))") produced \(value)"
        case .memory(let why): return why
        case .diverged(let why): return why
        case .internalError(let why): return "internal error: \(why)"
        }
    }
}
