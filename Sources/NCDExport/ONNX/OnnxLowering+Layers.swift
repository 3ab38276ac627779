import NCDCore

/// Normalisations, rearranging, windows and convolutions in ONNX.
extension OnnxLowering {
    func normalize(_ kind: Normalization, _ axes: [String], _ op: Operation, _ x: OnnxValue) throws -> OnnxValue {
        if kind == .batch { return try batchNormalize(axes, op, x) }
        let (moved, undo) = try g.mergingToEnd(x, axes, as: "§norm")
        let features = moved.extents.last!
        let flatShape = try g.shape([features])
        let weight =
            try op.parameter(.scale).map { g.op("Reshape", [try parameter($0, op), flatShape], name: "scale") }
            ?? g.op("Expand", [g.float(1), flatShape], name: "scale")
        let y: String
        if kind == .layer {
            let bias =
                try op.parameter(.shift).map { g.op("Reshape", [try parameter($0, op), flatShape], name: "shift") }
                ?? g.op("Expand", [g.float(0), flatShape], name: "shift")
            y = g.op(
                "LayerNormalization", [moved.name, weight, bias], name: "layernorm",
                [.int("axis", -1), .float("epsilon", 1e-5)])
        } else {
            // x / √(mean(x²) + ε) · γ, as the runtime composes it.
            let meanSquare = g.op(
                "ReduceMean", [g.op("Mul", [moved.name, moved.name]), g.int64s([-1])], name: "mean_square",
                [.int("keepdims", 1)])
            let denominator = g.op("Sqrt", [g.op("Add", [meanSquare, g.float(1e-6)])])
            y = g.op("Mul", [g.op("Div", [moved.name, denominator]), weight], name: "rmsnorm")
        }
        return try undo(OnnxValue(name: y, axes: moved.axes, extents: moved.extents))
    }

    /// Batch norm on `[outer, features, inner]` blocks, as the runtime reads them: running
    /// statistics in evaluation, the batch's own with `--train` (the running statistics are
    /// then not updated: an ONNX graph holds no state).
    func batchNormalize(_ axes: [String], _ op: Operation, _ x: OnnxValue) throws -> OnnxValue {
        let positions = axes.compactMap { x.axes.firstIndex(of: $0) }
        let first = positions.first ?? 0
        let inPlace = positions == Array(first..<(first + positions.count))
        var source = x
        var undo: (OnnxValue) throws -> OnnxValue = { $0 }
        if !inPlace { (source, undo) = try g.mergingToEnd(x, axes, as: "§norm") }
        let start = inPlace ? first : source.axes.count - 1
        let end = inPlace ? first + axes.count : source.axes.count
        let product = { (e: ArraySlice<SizeExpr>) in try e.reduce(SizeExpr.one) { try $0 * $1 } }
        let features = try product(source.extents[start..<end])
        let blocks = try g.reshaped(
            source, ["§outer", "§features", "§inner"],
            [try product(source.extents[..<start]), features, try product(source.extents[end...])])
        let flatShape = try g.shape([features])
        func tensor(_ role: ParameterRole, default value: Float) throws -> String {
            try op.parameter(role).map { g.op("Reshape", [try parameter($0, op), flatShape], name: role.rawValue) }
                ?? g.op("Expand", [g.float(value), flatShape], name: role.rawValue)
        }
        let (scale, shift) = (try tensor(.scale, default: 1), try tensor(.shift, default: 0))
        let y: String
        if exporter.training {
            let reduced = g.int64s([0, 2])
            let column = g.int64s([1, -1, 1])
            let mean = g.op("ReduceMean", [blocks.name, reduced], name: "batch_mean", [.int("keepdims", 1)])
            let centred = g.op("Sub", [blocks.name, mean], name: "centred")
            let variance = g.op(
                "ReduceMean", [g.op("Mul", [centred, centred]), reduced], name: "batch_variance", [.int("keepdims", 1)])
            let normalised = g.op("Div", [centred, g.op("Sqrt", [g.op("Add", [variance, g.float(1e-5)])])])
            y = g.op(
                "Add",
                [g.op("Mul", [normalised, g.op("Reshape", [scale, column])]), g.op("Reshape", [shift, column])],
                name: "batchnorm")
        } else {
            let (mean, variance) = (try tensor(.runningMean, default: 0), try tensor(.runningVariance, default: 1))
            y = g.op(
                "BatchNormalization", [blocks.name, scale, shift, mean, variance], name: "batchnorm",
                [.float("epsilon", 1e-5)])
        }
        let back = try g.reshaped(
            OnnxValue(name: y, axes: blocks.axes, extents: blocks.extents), source.axes, source.extents)
        return try undo(back)
    }

    /// `rearrange[from -> to]` as the runtime's `Named.rearranged(from:to:)` does it.
    func rearrange(_ op: Operation, _ x: OnnxValue, from: [String], to: [String], in graph: DiagramGraph) throws
        -> OnnxValue
    {
        let (consumed, produced) = try ExportPlans.rearrangement(
            op, in: graph, from: from, to: to, extent: exporter.extent)
        guard !consumed.isEmpty || !produced.isEmpty else { return x }
        if let first = consumed.first.flatMap(x.axes.firstIndex(of:)), x.axes[first...].starts(with: consumed) {
            let end = first + consumed.count
            return try g.reshaped(
                x, Array(x.axes[..<first]) + produced.map(\.name) + x.axes[end...],
                Array(x.extents[..<first]) + produced.map(\.size) + x.extents[end...])
        }
        let (moved, _) = try g.mergingToEnd(x, consumed, as: "§rearrange")
        return try g.reshaped(
            moved, Array(moved.axes.dropLast()) + produced.map(\.name),
            Array(moved.extents.dropLast()) + produced.map(\.size))
    }

    /// ncd's window (★): each spatial axis padded, then read at `[position, offset]` index
    /// pairs (a gather), the offset axis moved last; the extents must be known at export.
    func window(_ x: OnnxValue, spatial: [String], windowAxes: [String], _ w: WindowGeometry, _ op: Operation) throws
        -> OnnxValue
    {
        var v = x
        for (axis, windowAxis) in zip(spatial, windowAxes) {
            let i = try v.position(of: axis)
            guard let n = try? exporter.extent(v.extents[i]), exporter.isFixed(v.extents[i]) else {
                throw ExportError("a window over `\(axis)`, whose size is free: bind it with --size", at: op.location)
            }
            var name = v.name
            if w.padding > 0 {
                var pads = Array(repeating: 0, count: 2 * v.axes.count)
                pads[i] = w.padding
                pads[v.axes.count + i] = w.padding
                name = g.op("Pad", [name, g.int64s(pads)], name: "padded")
            }
            let count = (n + 2 * w.padding - w.dilation * (w.kernel - 1) - 1) / w.stride + 1
            guard count > 0 else { throw ExportError("a window larger than `\(axis)`", at: op.location) }
            var index: [Int] = []
            for p in 0..<count { for k in 0..<w.kernel { index.append(p * w.stride + k * w.dilation) } }
            var t = Onnx_TensorProto()
            t.name = g.fresh("window_index")
            t.dims = [Int64(count), Int64(w.kernel)]
            t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
            t.int64Data = index.map(Int64.init)
            g.add(initializer: t)
            name = g.op("Gather", [name, t.name], name: "windows", [.int("axis", i)])
            var axes = v.axes
            var extents = v.extents
            axes.insert(windowAxis, at: i + 1)
            extents[i] = SizeExpr(count)
            extents.insert(SizeExpr(w.kernel), at: i + 1)
            v = try g.ordered(
                OnnxValue(name: name, axes: axes, extents: extents), axes.filter { $0 != windowAxis } + [windowAxis])
        }
        return v
    }

    func convolve(
        _ op: Operation, _ x: OnnxValue, spatial: [String], input: [String], output: [Axis], _ w: WindowGeometry,
        _ bias: Bool, _ transposed: Bool, in graph: DiagramGraph
    ) throws -> OnnxValue {
        guard let weight = op.parameter(.weight) else {
            throw ExportError("internal error: no weight", at: op.location)
        }
        var kernel = try parameter(weight, op)
        var b = try bias ? op.parameter(.bias).map { try parameter($0, op) } : nil
        let outType = graph.type(of: op.outputs[0])
        let outCount = try output.reduce(SizeExpr.one) { try $0 * $1.size }
        guard spatial.count == 2 else {
            guard !transposed else {
                throw ExportError("transposed convolution over \(spatial.count) spatial axes", at: op.location)
            }
            let windowAxes = spatial.map { "§window.\($0)" }
            let windowed = try window(x, spatial: spatial, windowAxes: windowAxes, w, op)
            let outLabels = output.indices.map { "§out.\($0)" }
            let kernelValue = OnnxValue(
                name: kernel, axes: outLabels + input + windowAxes,
                extents: weight.type.axes.map(\.size))
            let rest = x.axes.filter { !input.contains($0) }
            var y = try einsum(
                Contraction(operands: [windowed.axes, kernelValue.axes], output: rest + outLabels),
                [windowed, kernelValue], op: op, in: graph)
            if let b { y.name = g.op("Add", [y.name, b], name: "conv") }
            y.axes = rest + output.map(\.name)
            y.extents = Array(y.extents.dropLast(output.count)) + output.map(\.size)
            return y
        }
        let rest = x.axes.filter { !input.contains($0) && !spatial.contains($0) }
        let moved = try g.ordered(x, rest + input + spatial)
        let restExtents = Array(moved.extents.prefix(rest.count))
        let batch = try restExtents.reduce(SizeExpr.one) { try $0 * $1 }
        let inExtents = Array(moved.extents.dropFirst(rest.count).prefix(input.count))
        let inCount = try inExtents.reduce(SizeExpr.one) { try $0 * $1 }
        let image = try g.reshaped(moved, ["§n", "§c"] + spatial, [batch, inCount] + moved.extents.suffix(2))
        if input.count > 1 || output.count > 1 {
            // Channel groups (`c -> k heads`) as the one channel axis of each side.
            let channels = transposed ? [inCount, outCount] : [outCount, inCount]
            let k = SizeExpr(w.kernel)
            kernel = g.op("Reshape", [kernel, try g.shape(channels + [k, k])], name: "kernel")
            b = b.map { g.op("Reshape", [$0, g.int64s([-1])], name: "bias") }
        }
        let y = g.op(
            transposed ? "ConvTranspose" : "Conv", [image.name, kernel] + (b.map { [$0] } ?? []), name: "conv",
            try Self.windowAttributes(w, rank: 2))
        let outSpatial = try spatial.map { a -> SizeExpr in
            guard let s = outType.axis(named: a) else { throw ExportError("internal error", at: op.location) }
            return s.size
        }
        let result = OnnxValue(name: y, axes: ["§n", "§k"] + spatial, extents: [batch, outCount] + outSpatial)
        return try g.reshaped(
            result, rest + output.map(\.name) + spatial, restExtents + output.map(\.size) + outSpatial)
    }
}
