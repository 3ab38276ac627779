import NCDCore

/// Each operation as PyTorch, mirroring ``NCDExec/Executor``'s rule for it line by line:
/// the same moves of axes, the same arithmetic.
extension TorchClassWriter {
    func apply(_ op: Operation, _ x: [PyValue]) throws -> [PyValue] {
        switch op.kind {
        case .linear(let input, let output, let bias):
            return [try linear(op, x[0], input: input, output: output, bias: bias)]

        case .einsum(let contraction):
            return [try einsum(contraction, x)]

        case .unary(let f):
            return [PyValue(expr: Self.unary(f, x[0].expr), axes: x[0].axes)]

        case .binary(let f):
            let axes = x[0].axes + x[1].axes.filter { !x[0].axes.contains($0) }
            let (a, b) = (try x[0].spread(to: axes), try x[1].spread(to: axes))
            return [PyValue(expr: "\(a.operand) \(f.rawValue) \(b.operand)", axes: axes, isAtomic: false)]

        case .scale(let factor):
            return [
                PyValue(expr: "\(x[0].operand) * \(sizes.scalar(factor.formula))", axes: x[0].axes, isAtomic: false)
            ]

        case .offset(let term):
            return [PyValue(expr: "\(x[0].operand) + \(sizes.scalar(term.formula))", axes: x[0].axes, isAtomic: false)]

        case .softmax(let axes, let log):
            let function = log ? "torch.log_softmax" : "torch.softmax"
            if axes.count == 1 {
                return [
                    PyValue(expr: "\(function)(\(x[0].expr), dim=\(try x[0].position(of: axes[0])))", axes: x[0].axes)
                ]
            }
            let (moved, undo) = try x[0].mergingToEnd(axes, as: "§softmax")
            return [try undo(PyValue(expr: "\(function)(\(moved.expr), dim=-1)", axes: moved.axes))]

        case .reduce(let kind, let axes):
            let dims = try axes.map { String(try x[0].position(of: $0)) }
            let method = kind == .max ? "amax" : kind.rawValue
            return [
                x[0].calling(method, "dim=\(PythonLiteral.tuple(dims))", axes: x[0].axes.filter { !axes.contains($0) })
            ]

        case .normalize(let kind, let axes):
            return [try normalize(kind, axes, op, x[0])]

        case .rearrange(let from, let to):
            return [try rearrange(op, x[0], from: from, to: to)]

        case .concatenate(let axis):
            let aligned = try PyValue.aligningCarriedAxes(x, except: axis)
            let order = aligned[0].axes
            let parts = try aligned.map { try $0.ordered(order).expr }
            return [
                PyValue(
                    expr: "torch.cat([\(parts.joined(separator: ", "))], dim=\(try aligned[0].position(of: axis)))",
                    axes: order)
            ]

        case .stack(let axis):
            let aligned = try PyValue.aligningCarriedAxes(x)
            let order = aligned[0].axes
            let parts = try aligned.map { try $0.ordered(order).expr }
            return [PyValue(expr: "torch.stack([\(parts.joined(separator: ", "))])", axes: [axis] + order)]

        case .index(let axis, let position, _):
            return [
                x[0].calling(
                    "select", "\(try x[0].position(of: axis)), \(position)", axes: x[0].axes.filter { $0 != axis })
            ]

        case .slice(let axis, let start, let end):
            return [x[0].calling("narrow", "\(try x[0].position(of: axis)), \(start), \(end - start)")]

        case .window(let spatial, let windowAxes, let g):
            let dims = try spatial.map { String(try x[0].position(of: $0)) }
            return [
                PyValue(
                    expr: "window(\(x[0].expr), \(PythonLiteral.tuple(dims)), \(Self.geometry(g)))",
                    axes: x[0].axes + windowAxes)
            ]

        case .convolution(let spatial, let input, let output, let geometry, let bias, let transposed):
            return [
                try convolve(
                    op, x[0], spatial: spatial, input: input.map(\.name), output: output, geometry: geometry,
                    bias: bias, transposed: transposed)
            ]

        case .pool(.max, let spatial, let g) where spatial.count == 2:
            let rest = x[0].axes.filter { !spatial.contains($0) }
            let moved = try x[0].ordered(rest + spatial)
            return [PyValue(expr: "max_pool2d(\(moved.expr), \(Self.geometry(g)))", axes: rest + spatial)]

        case .pool(let kind, let spatial, let g):
            let dims = try spatial.map { String(try x[0].position(of: $0)) }
            let windowDims = (0..<spatial.count).map { String(x[0].axes.count + $0) }
            let windowed = "window(\(x[0].expr), \(PythonLiteral.tuple(dims)), \(Self.geometry(g)))"
            return [
                PyValue(
                    expr: "\(windowed).\(kind == .max ? "amax" : "mean")(dim=\(PythonLiteral.tuple(windowDims)))",
                    axes: x[0].axes)
            ]

        case .dropout(let p):
            guard p > 0 else { return [x[0]] }
            return [
                PyValue(expr: "F.dropout(\(x[0].expr), \(PythonLiteral.number(p)), self.training)", axes: x[0].axes)
            ]

        case .crossEntropy(let classAxis, let indices):
            let aligned = try PyValue.aligningCarriedAxes(x, except: classAxis)
            let rest = aligned[0].axes.filter { $0 != classAxis }
            let classes = try sizeOf(classAxis, in: op.inputs[0])
            let logits = try aligned[0].ordered(rest + [classAxis]).calling("reshape", "-1, \(classes)", axes: [])
            if indices {
                let labels = try aligned[1].ordered(rest).calling("reshape", "-1").calling("long")
                return [PyValue(expr: "F.cross_entropy(\(logits.expr), \(labels.expr))", axes: [])]
            }
            let probabilities = try aligned[1].ordered(rest + [classAxis]).calling("reshape", "-1, \(classes)")
            return [
                PyValue(
                    expr: "-(\(probabilities.expr) * torch.log_softmax(\(logits.expr), dim=1)).sum(1).mean()", axes: [],
                    isAtomic: false)
            ]

        case .meanSquaredError:
            let aligned = try PyValue.aligningCarriedAxes(x)
            let b = try aligned[1].ordered(aligned[0].axes)
            return [PyValue(expr: "F.mse_loss(\(aligned[0].expr), \(b.expr))", axes: [])]

        case .identity(let a, let b):
            usesDevice = true
            return [
                PyValue(expr: "torch.eye(\(sizes.expression(a.size)), dtype=dt, device=dev)", axes: [a.name, b.name])
            ]

        case .fill(let f):
            return [fill(f, graph.type(of: op.outputs[0]))]

        case .embedding(let table, let output):
            return [try embed(op, x[0], table: table, output: output)]

        case .gather(let axis):
            return [try gather(x[0], x[1], axis: axis)]

        case .select(let fill):
            return [try select(x, fill: fill, type: graph.type(of: op.outputs[0]))]

        case .causalMask(let query, let key):
            let order = x[0].axes.filter { $0 != query && $0 != key } + [query, key]
            return [PyValue(expr: "causal(\(try x[0].ordered(order).expr))", axes: order)]

        case .diagonal(let kept, let merged):
            let rest = x[0].axes.filter { $0 != kept && $0 != merged }
            let moved = try x[0].ordered(rest + [kept, merged])
            return [PyValue(expr: "torch.diagonal(\(moved.expr), dim1=-2, dim2=-1)", axes: rest + [kept])]

        case .freeTensor:
            guard let p = op.parameter(.free) else { throw ExportError("internal error: no tensor", at: op.location) }
            try declare(op, layer: nil)
            return [PyValue(expr: try access(p.name, op), axes: graph.type(of: op.outputs[0]).names)]

        case .save:
            return []

        case .load:
            return [x[0]]

        case .call(let child):
            return try call(op, child, x)

        case .abstract(let name):
            throw ExportError("`\(name)` is declared without a body, so there is nothing to export", at: op.location)
        }
    }

    static func unary(_ f: UnaryFunction, _ x: String) -> String {
        switch f {
        case .relu: return "torch.relu(\(x))"
        case .gelu: return "F.gelu(\(x))"
        case .tanh: return "torch.tanh(\(x))"
        case .sigmoid: return "torch.sigmoid(\(x))"
        case .exp: return "torch.exp(\(x))"
        case .log: return "torch.log(\(x))"
        case .sqrt: return "torch.sqrt(\(x))"
        case .square: return "torch.square(\(x))"
        case .neg: return "torch.neg(\(x))"
        case .abs: return "torch.abs(\(x))"
        case .geluTanh: return "F.gelu(\(x), approximate=\"tanh\")"
        case .silu: return "F.silu(\(x))"
        case .softplus: return "F.softplus(\(x))"
        case .sin: return "torch.sin(\(x))"
        case .cos: return "torch.cos(\(x))"
        case .erf: return "torch.erf(\(x))"
        }
    }

    /// `kernel=3, stride=2`: a window's geometry, defaults left out.
    static func geometry(_ g: WindowGeometry) -> String {
        var parts = ["\(g.kernel)"]
        if g.stride != 1 { parts.append("stride=\(g.stride)") }
        if g.padding != 0 { parts.append("padding=\(g.padding)") }
        if g.dilation != 1 { parts.append("dilation=\(g.dilation)") }
        return parts.joined(separator: ", ")
    }

    /// The size of a value's own axis, as Python.
    func sizeOf(_ axis: String, in id: ValueID) throws -> String {
        guard let a = graph.type(of: id).axis(named: axis) else {
            throw ExportError("internal error: no axis `\(axis)` in \(graph.type(of: id))")
        }
        return sizes.expression(a.size)
    }

    /// An einsum with each operand labelled by its own axes, carried axes kept in front.
    func einsum(_ contraction: Contraction, _ x: [PyValue]) throws -> PyValue {
        let (labels, pattern) = try ExportPlans.einsum(
            contraction, operands: x.map(\.axes), alphabet: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return PyValue(
            expr: "torch.einsum(\(PythonLiteral.string(pattern)), \(x.map(\.expr).joined(separator: ", ")))",
            axes: labels)
    }

    func fill(_ f: Fill, _ type: ArrayType) -> PyValue {
        usesDevice = true
        let shape = PythonLiteral.tuple(type.axes.map { sizes.expression($0.size) })
        switch f {
        case .zeros: return PyValue(expr: "torch.zeros(\(shape), dtype=dt, device=dev)", axes: type.names)
        case .ones: return PyValue(expr: "torch.ones(\(shape), dtype=dt, device=dev)", axes: type.names)
        case .arange:
            let count = sizes.product(type.axes.map(\.size))
            let arange = "torch.arange(\(count), dtype=dt, device=dev)"
            return PyValue(expr: type.axes.count == 1 ? arange : "\(arange).reshape(\(shape))", axes: type.names)
        }
    }

    func gather(_ source: PyValue, _ ids: PyValue, axis: String) throws -> PyValue {
        let shared = source.axes.filter { $0 != axis && ids.axes.contains($0) }
        let rest = source.axes.filter { $0 != axis && !shared.contains($0) }
        let idRest = ids.axes.filter { !shared.contains($0) }
        let table = try source.ordered(shared + [axis] + rest)
        let at = try ids.ordered(shared + idRest)
        return PyValue(expr: "gather(\(table.expr), \(at.expr), \(shared.count))", axes: shared + idRest + rest)
    }

    func select(_ x: [PyValue], fill: ScalarFactor?, type: ArrayType) throws -> PyValue {
        var order = type.names
        for v in x { for a in v.axes where !order.contains(a) { order.insert(a, at: 0) } }
        let condition = try x[0].spread(to: order)
        let a = try x[1].spread(to: order)
        let b = try fill.map { sizes.scalar($0.formula) } ?? x[2].spread(to: order).expr
        return PyValue(expr: "torch.where(\(condition.operand) != 0, \(a.expr), \(b))", axes: order)
    }
}
