import NCDCore

/// Each operation as ONNX nodes, mirroring ``NCDExec/Executor``'s rule for it.
extension OnnxLowering {
    func apply(_ op: Operation, _ x: [OnnxValue], in graph: DiagramGraph) throws -> [OnnxValue] {
        /// The result's extents: its type's for its own axes, the arguments' for carried ones.
        func result(_ name: String, _ axes: [String]) throws -> OnnxValue {
            let type = op.outputs.first.map { graph.type(of: $0) } ?? .scalar
            let extents = try axes.map { a -> SizeExpr in
                if let own = type.axis(named: a) { return own.size }
                guard let carried = x.first(where: { $0.axes.contains(a) }) else {
                    throw ExportError("internal error: no extent for `\(a)`", at: op.location)
                }
                return try carried.extent(of: a)
            }
            return OnnxValue(name: name, axes: axes, extents: extents)
        }
        switch op.kind {
        case .linear(let input, let output, let bias):
            let (moved, _) = try g.mergingToEnd(x[0], input.map(\.name), as: "§in")
            let outCount = try output.reduce(SizeExpr.one) { try $0 * $1.size }
            let inCount = moved.extents.last!
            guard let w = op.parameter(.weight) else { throw ExportError("internal error: no weight", at: op.location) }
            var stored = try parameter(w, op)
            if let order = w.permutation(to: (output + input).map(\.name)) {
                // A weight tied transposed, read in [output…, input…] order.
                stored = g.op("Transpose", [stored], name: "tied", [.ints("perm", order)])
            }
            let matrix = g.op("Reshape", [stored, try g.shape([outCount, inCount])], name: "weight")
            var y = g.op("MatMul", [moved.name, g.op("Transpose", [matrix], name: "weight_t")], name: "linear")
            if bias, let b = op.parameter(.bias) {
                y = g.op(
                    "Add", [y, g.op("Reshape", [try parameter(b, op), g.int64s([-1])], name: "bias")], name: "linear")
            }
            let rest = Array(moved.axes.dropLast())
            let restExtents = Array(moved.extents.dropLast())
            let flat = OnnxValue(name: y, axes: rest + ["§out"], extents: restExtents + [outCount])
            if output.count == 1 { return [try result(y, rest + output.map(\.name))] }
            return [try g.reshaped(flat, rest + output.map(\.name), restExtents + output.map(\.size))]

        case .einsum(let contraction):
            return [try einsum(contraction, x, op: op, in: graph)]

        case .unary(let f):
            return [OnnxValue(name: unary(f, x[0].name), axes: x[0].axes, extents: x[0].extents)]

        case .binary(let f):
            let axes = x[0].axes + x[1].axes.filter { !x[0].axes.contains($0) }
            let (a, b) = (try g.spread(x[0], to: axes), try g.spread(x[1], to: axes))
            let kind = ["+": "Add", "-": "Sub", "*": "Mul", "/": "Div"][f.rawValue]!
            return [try result(g.op(kind, [a.name, b.name], name: kind.lowercased()), axes)]

        case .scale(let factor):
            return [
                OnnxValue(
                    name: g.op("Mul", [x[0].name, try constant(factor, op)], name: "scaled"), axes: x[0].axes,
                    extents: x[0].extents)
            ]

        case .offset(let term):
            return [
                OnnxValue(
                    name: g.op("Add", [x[0].name, try constant(term, op)], name: "shifted"), axes: x[0].axes,
                    extents: x[0].extents)
            ]

        case .softmax(let axes, let log):
            let kind = log ? "LogSoftmax" : "Softmax"
            if axes.count == 1 {
                let y = g.op(kind, [x[0].name], name: kind.lowercased(), [.int("axis", try x[0].position(of: axes[0]))])
                return [OnnxValue(name: y, axes: x[0].axes, extents: x[0].extents)]
            }
            let (moved, undo) = try g.mergingToEnd(x[0], axes, as: "§softmax")
            let y = g.op(kind, [moved.name], name: kind.lowercased(), [.int("axis", -1)])
            return [try undo(OnnxValue(name: y, axes: moved.axes, extents: moved.extents))]

        case .reduce(let kind, let axes):
            let dims = try axes.map { try x[0].position(of: $0) }
            let name = ["sum": "ReduceSum", "mean": "ReduceMean", "max": "ReduceMax"][kind.rawValue]!
            let y = g.op(name, [x[0].name, g.int64s(dims)], name: kind.rawValue, [.int("keepdims", 0)])
            let kept = x[0].axes.enumerated().filter { !axes.contains($0.element) }
            return [OnnxValue(name: y, axes: kept.map(\.element), extents: kept.map { x[0].extents[$0.offset] })]

        case .normalize(let kind, let axes):
            return [try normalize(kind, axes, op, x[0])]

        case .rearrange(let from, let to):
            return [try rearrange(op, x[0], from: from, to: to, in: graph)]

        case .concatenate(let axis):
            let aligned = try g.aligningCarriedAxes(x, except: axis)
            let order = aligned[0].axes
            let parts = try aligned.map { try g.ordered($0, order) }
            let y = g.op("Concat", parts.map(\.name), name: "concat", [.int("axis", try parts[0].position(of: axis))])
            return [try result(y, order)]

        case .stack(let axis):
            let aligned = try g.aligningCarriedAxes(x)
            let order = aligned[0].axes
            let parts = try aligned.map {
                g.op("Unsqueeze", [try g.ordered($0, order).name, g.int64s([0])], name: "part")
            }
            return [try result(g.op("Concat", parts, name: "stack", [.int("axis", 0)]), [axis] + order)]

        case .index(let axis, let position, _):
            let i = try x[0].position(of: axis)
            let y = g.op("Gather", [x[0].name, g.int64s([position], scalar: true)], name: "index", [.int("axis", i)])
            var (axes, extents) = (x[0].axes, x[0].extents)
            axes.remove(at: i)
            extents.remove(at: i)
            return [OnnxValue(name: y, axes: axes, extents: extents)]

        case .slice(let axis, let start, let end):
            let i = try x[0].position(of: axis)
            let y = g.op("Slice", [x[0].name, g.int64s([start]), g.int64s([end]), g.int64s([i])], name: "slice")
            var extents = x[0].extents
            extents[i] = SizeExpr(end - start)
            return [OnnxValue(name: y, axes: x[0].axes, extents: extents)]

        case .window(let spatial, let windowAxes, let geometry):
            return [try window(x[0], spatial: spatial, windowAxes: windowAxes, geometry, op)]

        case .convolution(let spatial, let input, let output, let geometry, let bias, let transposed):
            return [
                try convolve(
                    op, x[0], spatial: spatial, input: input.map(\.name), output: output, geometry, bias, transposed,
                    in: graph)
            ]

        case .pool(let kind, let spatial, let geometry):
            if kind == .max && spatial.count == 2 {
                let rest = x[0].axes.filter { !spatial.contains($0) }
                let moved = try g.ordered(x[0], rest + spatial)
                let restCount = try moved.extents.prefix(rest.count).reduce(SizeExpr.one) { try $0 * $1 }
                let image = try g.reshaped(moved, ["§n", "§c"] + spatial, [restCount, .one] + moved.extents.suffix(2))
                let y = g.op("MaxPool", [image.name], name: "maxpool", try Self.windowAttributes(geometry, rank: 2))
                let type = graph.type(of: op.outputs[0])
                let outSpatial = try spatial.map { a -> SizeExpr in
                    guard let s = type.axis(named: a) else { throw ExportError("internal error", at: op.location) }
                    return s.size
                }
                let pooled = OnnxValue(name: y, axes: image.axes, extents: [restCount, .one] + outSpatial)
                return [try g.reshaped(pooled, rest + spatial, Array(moved.extents.prefix(rest.count)) + outSpatial)]
            }
            let windowAxes = spatial.map { "§pool.\($0)" }
            let windowed = try window(x[0], spatial: spatial, windowAxes: windowAxes, geometry, op)
            let dims = Array(x[0].axes.count..<(x[0].axes.count + spatial.count))
            let y = g.op(
                kind == .max ? "ReduceMax" : "ReduceMean", [windowed.name, g.int64s(dims)], name: "pool",
                [.int("keepdims", 0)])
            return [OnnxValue(name: y, axes: x[0].axes, extents: Array(windowed.extents.prefix(x[0].axes.count)))]

        case .dropout(let p):
            guard exporter.training, p > 0 else { return [x[0]] }
            let y = g.node(
                "Dropout", [x[0].name, g.float(Float(p)), exporter.trueTensor()], outputs: 2, name: "dropout")[0]
            return [OnnxValue(name: y, axes: x[0].axes, extents: x[0].extents)]

        case .crossEntropy(let classAxis, let indices):
            let aligned = try g.aligningCarriedAxes(x, except: classAxis)
            let rest = aligned[0].axes.filter { $0 != classAxis }
            let classes = try aligned[0].extent(of: classAxis)
            let moved = try g.ordered(aligned[0], rest + [classAxis])
            let flat = g.op("Reshape", [moved.name, try g.shape([SizeExpr(-1), classes])], name: "logits")
            if indices {
                let labels = g.op("Reshape", [try g.ordered(aligned[1], rest).name, g.int64s([-1])], name: "labels")
                let y = g.op(
                    "SoftmaxCrossEntropyLoss", [flat, ids(OnnxValue(name: labels, axes: [], extents: []))],
                    name: "cross_entropy", [.string("reduction", "mean")])
                return [OnnxValue(name: y, axes: [], extents: [])]
            }
            let targets = try g.ordered(aligned[1], rest + [classAxis])
            let probabilities = g.op("Reshape", [targets.name, try g.shape([SizeExpr(-1), classes])], name: "targets")
            let logProbabilities = g.op("LogSoftmax", [flat], name: "log_probabilities", [.int("axis", 1)])
            let perRow = g.op(
                "ReduceSum", [g.op("Mul", [probabilities, logProbabilities]), g.int64s([1])], name: "per_row",
                [.int("keepdims", 0)])
            let y = g.op(
                "Neg", [g.op("ReduceMean", [perRow], name: "mean", [.int("keepdims", 0)])], name: "cross_entropy")
            return [OnnxValue(name: y, axes: [], extents: [])]

        case .meanSquaredError:
            let aligned = try g.aligningCarriedAxes(x)
            let b = try g.ordered(aligned[1], aligned[0].axes)
            let d = g.op("Sub", [aligned[0].name, b.name], name: "difference")
            let y = g.op("ReduceMean", [g.op("Mul", [d, d], name: "squared")], name: "mse", [.int("keepdims", 0)])
            return [OnnxValue(name: y, axes: [], extents: [])]

        case .identity(let a, let b):
            let square = g.op("Expand", [g.float(0), try g.shape([a.size, a.size])], name: "square")
            return [
                OnnxValue(
                    name: g.op("EyeLike", [square], name: "eye"), axes: [a.name, b.name], extents: [a.size, a.size])
            ]

        case .fill(let f):
            let type = graph.type(of: op.outputs[0])
            let extents = type.axes.map(\.size)
            let shape = try g.shape(extents)
            switch f {
            case .zeros, .ones:
                let y = g.op("Expand", [g.float(f == .ones ? 1 : 0), shape], name: f == .ones ? "ones" : "zeros")
                return [OnnxValue(name: y, axes: type.names, extents: extents)]
            case .arange:
                let count = try extents.reduce(SizeExpr.one) { try $0 * $1 }
                let limit = g.op(
                    "Cast", [g.op("Squeeze", [try g.size(count)], name: "count")], name: "limit", [.int("to", 1)])
                let positions = g.op("Range", [g.float(0), limit, g.float(1)], name: "positions")
                return [
                    OnnxValue(
                        name: g.op("Reshape", [positions, shape], name: "arange"), axes: type.names, extents: extents)
                ]
            }

        case .embedding(let table, let output):
            guard let w = op.parameter(.weight) else { throw ExportError("internal error: no table", at: op.location) }
            let width = try output.reduce(SizeExpr.one) { try $0 * $1.size }
            let matrix = g.op("Reshape", [try parameter(w, op), try g.shape([table.size, width])], name: "table")
            let y = g.op("Gather", [matrix, ids(x[0])], name: "embed", [.int("axis", 0)])
            let flat = OnnxValue(name: y, axes: x[0].axes + ["§width"], extents: x[0].extents + [width])
            if output.count == 1 { return [try result(y, x[0].axes + output.map(\.name))] }
            return [try g.reshaped(flat, x[0].axes + output.map(\.name), x[0].extents + output.map(\.size))]

        case .gather(let axis):
            let (source, at) = (x[0], x[1])
            let shared = source.axes.filter { $0 != axis && at.axes.contains($0) }
            let rest = source.axes.filter { $0 != axis && !shared.contains($0) }
            let idRest = at.axes.filter { !shared.contains($0) }
            let table = try g.ordered(source, shared + [axis] + rest)
            let positions = try g.ordered(at, shared + idRest)
            let y: String
            if shared.isEmpty {
                y = g.op("Gather", [table.name, ids(positions)], name: "gather", [.int("axis", 0)])
            } else {
                let index = g.op("Unsqueeze", [ids(positions), g.int64s([-1])], name: "index")
                y = g.op("GatherND", [table.name, index], name: "gather", [.int("batch_dims", shared.count)])
            }
            let extents = try (shared + idRest).map { try at.extent(of: $0) } + rest.map { try source.extent(of: $0) }
            return [OnnxValue(name: y, axes: shared + idRest + rest, extents: extents)]

        case .select(let fill):
            var order = graph.type(of: op.outputs[0]).names
            for v in x { for a in v.axes where !order.contains(a) { order.insert(a, at: 0) } }
            let condition = try g.spread(x[0], to: order)
            let a = try g.spread(x[1], to: order)
            let b = try fill.map { try constant($0, op) } ?? g.spread(x[2], to: order).name
            let mask = g.op("Not", [g.op("Equal", [condition.name, g.float(0)], name: "zero")], name: "mask")
            return [try result(g.op("Where", [mask, a.name, b], name: "selected"), order)]

        case .diagonal(let kept, let merged):
            // Einsum with a letter written twice ("abyy->aby"), as NumPy writes a diagonal.
            let rest = x[0].axes.filter { $0 != kept && $0 != merged }
            guard rest.count <= 24 else { throw ExportError("a diagonal of an array of over 26 axes", at: op.location) }
            let moved = try g.ordered(x[0], rest + [kept, merged])
            let letters = String("abcdefghijklmnopqrstuvwx".prefix(rest.count))
            let y = g.op(
                "Einsum", [moved.name], name: "diagonal", [.string("equation", letters + "yy->" + letters + "y")])
            return [OnnxValue(name: y, axes: rest + [kept], extents: Array(moved.extents.dropLast()))]

        case .causalMask(let query, let key):
            let order = x[0].axes.filter { $0 != query && $0 != key } + [query, key]
            let moved = try g.ordered(x[0], order)
            let ones = g.op("Expand", [g.float(1), try g.shape(Array(moved.extents.suffix(2)))], name: "ones")
            let later = g.op(
                "Cast", [g.op("Trilu", [ones, g.int64s([1], scalar: true)], name: "later", [.int("upper", 1)])],
                name: "later_mask", [.int("to", Int(Onnx_TensorProto.DataType.bool.rawValue))])
            let y = g.op("Where", [later, g.float(-.infinity), moved.name], name: "causal")
            return [OnnxValue(name: y, axes: order, extents: moved.extents)]

        case .freeTensor:
            guard let p = op.parameter(.free) else { throw ExportError("internal error: no tensor", at: op.location) }
            let type = graph.type(of: op.outputs[0])
            return [OnnxValue(name: try parameter(p, op), axes: type.names, extents: type.axes.map(\.size))]

        case .save:
            return []

        case .load:
            return [x[0]]

        case .call(let child):
            return try call(op, child, x, in: graph)

        case .abstract(let name):
            throw ExportError("`\(name)` is declared without a body, so there is nothing to export", at: op.location)
        }
    }

    func unary(_ f: UnaryFunction, _ x: String) -> String {
        switch f {
        case .relu: return g.op("Relu", [x])
        case .gelu:
            // x · (1 + erf(x / √2)) / 2, as the runtime computes it (ONNX's Gelu is opset 20).
            let erf = g.op("Erf", [g.op("Mul", [x, g.float(0.7071067811865476)])])
            return g.op("Div", [g.op("Mul", [x, g.op("Add", [erf, g.float(1)])]), g.float(2)], name: "gelu")
        case .geluTanh:
            let cube = g.op("Mul", [g.op("Mul", [x, x]), x])
            let inner = g.op(
                "Mul", [g.op("Add", [x, g.op("Mul", [cube, g.float(0.044715)])]), g.float(0.7978845608028654)])
            return g.op(
                "Div", [g.op("Mul", [x, g.op("Add", [g.op("Tanh", [inner]), g.float(1)])]), g.float(2)],
                name: "gelu_tanh")
        case .tanh: return g.op("Tanh", [x])
        case .sigmoid: return g.op("Sigmoid", [x])
        case .exp: return g.op("Exp", [x])
        case .log: return g.op("Log", [x])
        case .sqrt: return g.op("Sqrt", [x])
        case .square: return g.op("Mul", [x, x], name: "square")
        case .neg: return g.op("Neg", [x])
        case .abs: return g.op("Abs", [x])
        case .silu: return g.op("Mul", [x, g.op("Sigmoid", [x])], name: "silu")
        case .softplus: return g.op("Softplus", [x])
        case .sin: return g.op("Sin", [x])
        case .cos: return g.op("Cos", [x])
        case .erf: return g.op("Erf", [x])
        }
    }

    func einsum(_ contraction: Contraction, _ x: [OnnxValue], op: Operation, in graph: DiagramGraph) throws -> OnnxValue
    {
        let (labels, equation) = try ExportPlans.einsum(
            contraction, operands: x.map(\.axes), alphabet: "abcdefghijklmnopqrstuvwxyz")
        let y = g.op("Einsum", x.map(\.name), name: "einsum", [.string("equation", equation)])
        let extents = try labels.map { a -> SizeExpr in
            guard let v = x.first(where: { $0.axes.contains(a) }) else {
                throw ExportError("internal error", at: op.location)
            }
            return try v.extent(of: a)
        }
        return OnnxValue(name: y, axes: labels, extents: extents)
    }

    static func windowAttributes(_ w: WindowGeometry, rank: Int) throws -> [Onnx_AttributeProto] {
        [
            .ints("kernel_shape", Array(repeating: w.kernel, count: rank)),
            .ints("strides", Array(repeating: w.stride, count: rank)),
            .ints("pads", Array(repeating: w.padding, count: 2 * rank)),
            .ints("dilations", Array(repeating: w.dilation, count: rank)),
        ]
    }
}
