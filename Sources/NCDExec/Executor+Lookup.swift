import NCDCore
import NCDTensor

/// Integer ids (embedding lookups, gathers, class labels), the causal mask, constants and
/// free tensors.
extension Executor {
    /// The whole numbers of `ids`, each in `0..<count`; an error otherwise, naming the
    /// operation, the axis indexed and the element's position (`[1, 3]` in the ids' axes).
    func integerIds(_ ids: Named, below count: Int, for operation: String, axis: String) throws -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(ids.variable.value.count)
        for (k, v) in ids.variable.value.storage.enumerated() {
            // Converting NaN or a huge value to Int would trap: check first.
            // Beyond 2²⁴ a float32 holds no longer every whole number: such an id may have
            // been rounded on its way in, so it is refused rather than read from another row.
            guard v.isFinite, v == v.rounded(), v >= 0, v < Float(count), v < 16_777_216 else {
                let position = Self.position(k, shape: ids.shape, axes: ids.axes)
                // A huge whole float is printed as a float: converting it to Int would trap.
                let whole = v.isFinite && v == v.rounded()
                let shown = whole && v.magnitude < 1e15 ? "\(Int(v))" : "\(v)"
                let what =
                    !whole
                    ? "\(shown), not a whole number"
                    : v >= 16_777_216 && v < Float(count)
                        ? "\(shown), past 2^24, where float32 ids are no longer exact"
                        : "\(shown), out of range for `\(axis)` of size \(count)"
                throw ExecError.input("`\(operation)` reads integer ids: the id at \(position) is \(what)")
            }
            result.append(Int(v))
        }
        return result
    }

    /// `[b = 1, t = 3]`: a flat element's position by its axes' names.
    static func position(_ flat: Int, shape: [Int], axes: [String]) -> String {
        var rest = flat
        var parts: [String] = []
        for (n, name) in zip(shape, axes).reversed() {
            parts.append("\(name) = \(n > 0 ? rest % n : 0)")
            rest = n > 0 ? rest / n : 0
        }
        return "[" + parts.reversed().joined(separator: ", ") + "]"
    }

    func embed(_ op: Operation, _ ids: Named, table: Axis, output: [Axis]) throws -> Named {
        guard let weight = try parameters(of: op, roles: [.weight])[0] else {
            throw ExecError.internalError("no table for `\(op.instancePath)`")
        }
        let rows = try size(table.size)
        let widths = try output.map { try size($0.size) }
        let lookup = try integerIds(ids, below: rows, for: "embed", axis: table.name)
        let y = try weight.reshapedVariable([rows, widths.reduce(1, *)]).gatherRows(lookup)
        return Named(variable: try y.reshapedVariable(ids.shape + widths), axes: ids.axes + output.map(\.name))
    }

    func gather(_ source: Named, _ ids: Named, axis: String) throws -> Named {
        if let shared = source.axes.first(where: { $0 != axis && ids.axes.contains($0) }) {
            // An axis both carry (lifted by one `over`, so diagonal): gather slice by slice
            // along it, each table slice read at its own ids.
            let (inSource, inIds) = (try source.index(of: shared), try ids.index(of: shared))
            var parts: [Variable<Float>] = []
            var sliceAxes: [String] = []
            for i in 0..<source.shape[inSource] {
                let table = Named(
                    variable: try source.variable.index(axis: inSource, i), axes: source.axes.filter { $0 != shared })
                let at = Named(variable: try ids.variable.index(axis: inIds, i), axes: ids.axes.filter { $0 != shared })
                let slice = try gather(table, at, axis: axis)
                sliceAxes = slice.axes
                parts.append(try slice.variable.reshapedVariable([1] + slice.shape))
            }
            return Named(variable: try NCDTensor.concatenate(parts, axis: 0), axes: [shared] + sliceAxes)
        }
        let rest = source.axes.filter { $0 != axis }
        let moved = try source.ordered([axis] + rest)
        let rows = moved.shape[0]
        let restShape = Array(moved.shape.dropFirst())
        let lookup = try integerIds(ids, below: rows, for: "gather", axis: axis)
        let y = try moved.variable.reshapedVariable([rows, restShape.reduce(1, *)]).gatherRows(lookup)
        return Named(variable: try y.reshapedVariable(ids.shape + restShape), axes: ids.axes + rest)
    }

    /// `kept` and `merged` made one wire: both moved last and their diagonal taken, which
    /// leaves `kept` last.
    func diagonal(_ x: Named, kept: String, merged: String) throws -> Named {
        let rest = x.axes.filter { $0 != kept && $0 != merged }
        let moved = try x.ordered(rest + [kept, merged])
        return Named(variable: try moved.variable.diagonal(), axes: rest + [kept])
    }

    func causal(_ scores: Named, query: String, key: String) throws -> Named {
        let order = scores.axes.filter { $0 != query && $0 != key } + [query, key]
        let moved = try scores.ordered(order)
        return Named(variable: try moved.variable.causallyMasked(), axes: order)
    }

    /// `where(condition, a, b)` (or `b` a constant): every operand spread to the result's
    /// axes, then the selection element by element.
    func select(_ x: [Named], fill: Float?, type: ArrayType) throws -> Named {
        var operands = x
        if let fill {
            operands.append(Named(variable: Variable(try Tensor(shape: x[1].shape, repeating: fill)), axes: x[1].axes))
        }
        // The result's axes: the checker's, with any carried (lifted) axes in front.
        var order = type.names
        for v in operands { for a in v.axes where !order.contains(a) { order.insert(a, at: 0) } }
        var extents: [String: Int] = [:]
        for v in operands { for (a, n) in zip(v.axes, v.shape) { extents[a] = n } }
        let shape = order.map { extents[$0] ?? 1 }
        // Materialised at the full shape (an addition to zeros): the selection is elementwise.
        func spread(_ v: Named) throws -> Variable<Float> {
            try Variable(Tensor<Float>(shape: shape)) + v.spread(to: order)
        }
        let (condition, a, b) = (try spread(operands[0]), try spread(operands[1]), try spread(operands[2]))
        return Named(variable: try a.selected(where: condition.value, else: b), axes: order)
    }

    func fill(_ fill: Fill, _ type: ArrayType) throws -> Named {
        let shape = try self.shape(type)
        let tensor: Tensor<Float>
        switch fill {
        case .zeros: tensor = try Tensor(shape: shape)
        case .ones: tensor = try Tensor(shape: shape, repeating: 1)
        case .arange: tensor = try Tensor(shape: shape, (0..<shape.reduce(1, *)).map(Float.init))
        }
        return Named(variable: Variable(tensor), axes: type.names)
    }

    func freeTensor(_ op: Operation, _ type: ArrayType) throws -> Named {
        guard let p = op.parameter(.free) else { throw ExecError.internalError("no tensor for `\(op.instancePath)`") }
        return Named(variable: try parameter(p), axes: type.names)
    }
}
