import NCDCore

/// Rearranging and calling: the two operations whose layout rules are the runtime's most
/// particular.
extension TorchClassWriter {
    /// `rearrange[from -> to]` as ``NCDExec/Named/rearranged(from:to:)`` does it: an axis on
    /// both sides with its size stays itself; the others are read row-major and written in
    /// place where they lie side by side in order, else after moving them last.
    func rearrange(_ op: Operation, _ x: PyValue, from: [String], to: [String]) throws -> PyValue {
        let (consumed, produced) = try ExportPlans.rearrangement(op, in: graph, from: from, to: to, extent: extent)
        guard !consumed.isEmpty || !produced.isEmpty else { return x }
        let split = PythonLiteral.tuple(produced.map { sizes.expression($0.size) })
        if let first = consumed.first.flatMap(x.axes.firstIndex(of:)), x.axes[first...].starts(with: consumed) {
            let end = first + consumed.count
            let axes = Array(x.axes[..<first]) + produced.map(\.name) + x.axes[end...]
            switch (consumed.count, produced.count) {
            case (1, 1): return PyValue(expr: x.expr, axes: axes, isAtomic: x.isAtomic)
            case (1, _): return x.calling("unflatten", "\(first), \(split)", axes: axes)
            case (_, 1): return x.calling("flatten", "\(first), \(end - 1)", axes: axes)
            default:
                let shape = "\(x.expr).shape[:\(first)] + \(split) + \(x.expr).shape[\(end):]"
                return x.calling("reshape", shape, axes: axes)
            }
        }
        let (moved, _) = try x.mergingToEnd(consumed, as: "§rearrange")
        let axes = Array(moved.axes.dropLast()) + produced.map(\.name)
        switch produced.count {
        case 0: return moved.calling("squeeze", "-1", axes: axes)
        case 1: return PyValue(expr: moved.expr, axes: axes, isAtomic: moved.isAtomic)
        default: return moved.calling("unflatten", "-1, \(split)", axes: axes)
        }
    }

    /// A call of a sub-diagram: the arguments' axes renamed to the callee's, the axes the
    /// call is broadcast over (and any carried from further out) passed along under names
    /// of their own, as the runtime passes them; the callee's class is written for exactly
    /// that layout. The results come back under the caller's names.
    func call(_ op: Operation, _ child: DiagramGraph, _ args: [PyValue]) throws -> [PyValue] {
        let made = try callClass(op, child, args)
        let expr = "\(ModuleTree.access(made.path))(\(args.map(\.expr).joined(separator: ", ")))"
        return made.outputs.map { PyValue(expr: expr, axes: $0) }
    }

    /// A call's class (written on first use) and module path, and its results' axes under
    /// the caller's names.
    struct MadeCall {
        var name: String
        var path: [String]
        var outputs: [[String]]
    }

    func callClass(_ op: Operation, _ child: DiagramGraph, _ args: [PyValue]) throws -> MadeCall {
        let renaming = CallRenaming(op, of: child, in: graph, counter: &uniqueCounter)
        for (outer, unique) in renaming.inward { display[unique] = display[outer] ?? outer }
        let calleeAxes = try args.enumerated().map { i, arg -> [String] in
            guard let axes = renaming.argument(i, arg.axes) else {
                throw ExportError("internal error: argument \(i + 1) of `\(child.name)`", at: op.location)
            }
            return axes
        }
        // The callee sees carried axes under canonical names (`§0`, `§1`, in order of first
        // appearance), so one class serves every call with the same layout.
        var canonical: [String: String] = [:]
        var back: [String: String] = [:]
        var childDisplay: [String: String] = [:]
        for axes in calleeAxes {
            for a in axes where a.hasPrefix("§") && canonical[a] == nil {
                let name = "§\(canonical.count)"
                canonical[a] = name
                back[name] = a
                childDisplay[name] = display[a] ?? Self.readable(a)
            }
        }
        let layout = calleeAxes.map { $0.map { canonical[$0] ?? $0 } }
        let callPath = op.sharedFrom?.path ?? op.instance?.path
        guard let callPath else {
            throw ExportError("internal error: a call of `\(child.name)` without an instance", at: op.location)
        }
        let made = try exporter.moduleClass(child, prefix: callPath, layout: layout, display: childDisplay, at: op)
        let path = try relativePath(callPath, op)
        if op.sharedFrom == nil {
            try tree.insert(path, "\(made.name)()")
        } else if exporter.classOfInstance[callPath] != made.name {
            throw ExportError(
                "`\(child.name)` shares `\(callPath)` but is called with another layout of its arguments, which PyTorch would need a second class for",
                at: op.location)
        }
        exporter.classOfInstance[callPath] = made.name
        let outputs = try made.outputs.enumerated().map { j, axes -> [String] in
            guard let mapped = renaming.result(j, axes, carried: back) else {
                throw ExportError(
                    "internal error: output \(j + 1) of `\(child.name)` has axes \(axes)", at: op.location)
            }
            return mapped
        }
        return MadeCall(name: made.name, path: path, outputs: outputs)
    }
}
