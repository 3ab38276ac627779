import NCDCore

/// A loop whose every iteration is one call of the same class, each taking the previous
/// one's result (a stack of blocks), is written as the `for` loop a person would write over
/// its `nn.ModuleList`; any other loop is written out, iteration by iteration.
extension TorchClassWriter {
    /// The operation indices a stack starting at `index` covers, when it is one.
    func stack(at index: Int) -> (loop: Loop, chained: Int)? {
        guard
            let loop = graph.loops.first(where: {
                $0.parent == nil && $0.iterations.first?.operations.lowerBound == index
            }),
            loop.iterations.count > 1,
            loop.iterations.allSatisfy({ $0.operations.count == 1 })
        else { return nil }
        let ops = loop.iterations.map { graph.operations[$0.operations.lowerBound] }
        guard
            ops.allSatisfy({ op in
                guard case .call = op.kind, op.sharedFrom == nil, op.outputs.count == 1 else { return false }
                return op.instance?.path == (prefix.isEmpty ? "" : prefix + ".")
                    + "\(loop.label).\(op.loops.last?.ordinal ?? -1)"
            })
        else { return nil }
        // The argument each iteration takes from the one before; the others the same throughout.
        let chained = ops[1].inputs.firstIndex { $0 == ops[0].outputs[0] }
        guard let chained else { return nil }
        for (previous, op) in zip(ops, ops.dropFirst()) {
            for (j, id) in op.inputs.enumerated() {
                guard j == chained ? id == previous.outputs[0] : id == ops[0].inputs[j] else { return nil }
            }
        }
        return (loop, chained)
    }

    /// Writes the stack as `for block in self.h: x = block(x)`; false, writing nothing, when
    /// its iterations turn out to need different classes or layouts.
    func emitStack(_ loop: Loop, chained: Int) throws -> Bool {
        let ops = loop.iterations.map { graph.operations[$0.operations.lowerBound] }
        let saved = (lines, tree, namer, values)
        var axes = values[ops[0].inputs[chained]]?.axes
        var className: String?
        for op in ops {
            guard case .call(let child) = op.kind else { return false }
            // Every argument but the chained one is the first iteration's.
            var args = try ops[0].inputs.map { id -> PyValue in
                guard let v = values[id] else {
                    throw ExportError("internal error: value \(id) used before it is made")
                }
                return v
            }
            args[chained].axes = axes ?? []
            let made = try callClass(op, child, args)
            if className == nil { className = made.name }
            guard made.name == className, made.outputs.count == 1, made.outputs[0] == args[chained].axes else {
                (lines, tree, namer, values) = saved
                return false
            }
            axes = made.outputs[0]
        }
        let first = ops[0].inputs[chained]
        let source = values[first]!
        // The chained value is renamed through the loop: reuse its variable when nothing
        // else reads it afterwards.
        let reusable =
            graph.consumers(of: first) == [loop.iterations[0].operations.lowerBound] && !graph.outputs.contains(first)
        let variable = reusable ? source.expr : namer.fresh(graph.values[ops.last!.outputs[0]].name ?? "x")
        if !reusable { lines.append("\(variable) = \(source.expr)") }
        let layer = namer.fresh("layer")
        var args = try ops[0].inputs.map { id -> String in
            guard let v = values[id] else { throw ExportError("internal error: value \(id) used before it is made") }
            return v.expr
        }
        args[chained] = variable
        let path = ModuleTree.access(Array(try relativePath(ops[0].instance!.path, ops[0]).dropLast()))
        lines.append("for \(layer) in \(path):  # \(exporter.sourceLocation(ops[0]))")
        lines.append("    \(variable) = \(layer)(\(args.joined(separator: ", ")))  # \(axesText(axes ?? []))")
        values[ops.last!.outputs[0]] = PyValue(expr: variable, axes: axes ?? [])
        return true
    }
}
