import NCDCore
import NCDTensor

/// Each operation of the typed graph on named runtime values. Axes an operation does not
/// name (broadcast axes, and axes carried in from an enclosing `over`) ride along by name.
extension Executor {
    func apply(_ op: Operation, _ x: [Named], in g: DiagramGraph) throws -> [Named] {
        switch op.kind {
        case .linear(let input, let output, let bias):
            let (moved, _) = try x[0].mergingToEnd(input.map(\.name), as: "§in")
            let ps = try parameters(of: op, roles: bias ? [.weight, .bias] : [.weight])
            guard let stored = ps[0] else { throw ExecError.internalError("no weight for `\(op.instancePath)`") }
            // A weight tied transposed is read in [output…, input…] order.
            let weight =
                try op.parameter(.weight)?.permutation(to: (output + input).map(\.name)).map {
                    try stored.permuted($0)
                } ?? stored
            let outSizes = try output.map { try size($0.size) }
            let w = try weight.reshapedVariable([outSizes.reduce(1, *), moved.shape.last!])
            let b = try bias ? ps[1].map { try $0.reshapedVariable([outSizes.reduce(1, *)]) } : nil
            let y = try linear(moved.variable, weight: w, bias: b)
            let rest = Array(moved.axes.dropLast())
            return [
                Named(
                    variable: try y.reshapedVariable(Array(y.shape.dropLast()) + outSizes),
                    axes: rest + output.map(\.name))
            ]

        case .einsum:
            return [try contract(op, x, in: g)]

        case .unary(let f):
            return [Named(variable: try unary(f, x[0].variable), axes: x[0].axes)]

        case .binary(let f):
            return [try binary(f, x[0], x[1])]

        case .scale(let factor):
            return [Named(variable: try x[0].variable.scaled(by: try constant(factor)), axes: x[0].axes)]

        case .offset(let term):
            return [Named(variable: try x[0].variable.shifted(by: try constant(term)), axes: x[0].axes)]

        case .softmax(let axes, let log):
            let (moved, undo) = try x[0].mergingToEnd(axes, as: "§softmax")
            let last = moved.axes.count - 1
            let y = log ? try moved.variable.logSoftmax(axis: last) : try moved.variable.softmax(axis: last)
            return [try undo(Named(variable: y, axes: moved.axes))]

        case .reduce(let kind, let axes):
            let indices = try axes.map(x[0].index)
            let v = x[0].variable
            let y =
                switch kind {
                case .sum: try v.sum(axes: indices)
                case .mean: try v.mean(axes: indices)
                case .max: try v.max(axes: indices)
                }
            return [Named(variable: y, axes: x[0].axes.filter { !axes.contains($0) })]

        case .normalize(let kind, let axes):
            return [try normalize(kind, axes, op, x[0])]

        case .rearrange(let from, let to):
            let outType = g.type(of: op.outputs[0])
            let toSizes = try to.map { name in try size(outType.axis(named: name)!.size) }
            return [try x[0].rearranged(from: from, to: zip(to, toSizes).map { ($0, $1) })]

        case .concatenate(let axis):
            let aligned = try Named.aligningCarriedAxes(x, except: axis)
            let order = aligned[0].axes
            let parts = try aligned.map { try $0.ordered(order).variable }
            return [
                Named(variable: try NCDTensor.concatenate(parts, axis: try aligned[0].index(of: axis)), axes: order)
            ]

        case .stack(let axis):
            // Each operand gains the new axis first (of size 1), then they join along it.
            let aligned = try Named.aligningCarriedAxes(x)
            let order = aligned[0].axes
            let parts = try aligned.map { part -> Variable<Float> in
                let ordered = try part.ordered(order)
                return try ordered.variable.reshapedVariable([1] + ordered.shape)
            }
            return [Named(variable: try NCDTensor.concatenate(parts, axis: 0), axes: [axis] + order)]

        case .index(let axis, let position, _):
            return [
                Named(
                    variable: try x[0].variable.index(axis: try x[0].index(of: axis), position),
                    axes: x[0].axes.filter { $0 != axis })
            ]

        case .slice(let axis, let start, let end):
            return [
                Named(
                    variable: try x[0].variable.slice(axis: try x[0].index(of: axis), start: start, end: end),
                    axes: x[0].axes)
            ]

        case .window(let spatial, let windowAxes, let g):
            let y = try x[0].variable.window(spatial: try spatial.map(x[0].index), spec(g))
            return [Named(variable: y, axes: x[0].axes + windowAxes)]

        case .convolution(let spatial, let input, let output, let geometry, let bias, let transposed):
            return [
                try convolve(
                    op, x[0], spatial: spatial, input: input.map(\.name), output: output,
                    geometry: geometry, bias: bias, transposed: transposed)
            ]

        case .pool(.max, let spatial, let geometry) where spatial.count == 2:
            // The fused kernel, on the two spatial axes moved last.
            let rest = x[0].axes.filter { !spatial.contains($0) }
            let moved = try x[0].ordered(rest + spatial)
            return [Named(variable: try moved.variable.maxPool2d(spec(geometry)), axes: rest + spatial)]

        case .pool(let kind, let spatial, let geometry):
            let windowed = try x[0].variable.window(spatial: try spatial.map(x[0].index), spec(geometry))
            let windowAxes = Array(x[0].axes.count..<(x[0].axes.count + spatial.count))
            let y = kind == .max ? try windowed.max(axes: windowAxes) : try windowed.mean(axes: windowAxes)
            return [Named(variable: y, axes: x[0].axes)]

        case .dropout(let p):
            guard training, p > 0 else { return [x[0]] }
            return [
                Named(
                    variable: try x[0].variable.dropout(probability: Float(p), generator: &dropoutGenerator),
                    axes: x[0].axes)
            ]

        case .crossEntropy(let classAxis, let indices):
            let aligned = try Named.aligningCarriedAxes(x, except: classAxis)
            return [try crossEntropy(aligned[0], aligned[1], classAxis: classAxis, indices: indices)]

        case .meanSquaredError:
            let aligned = try Named.aligningCarriedAxes(x)
            let a = aligned[0]
            let b = try aligned[1].ordered(a.axes)
            return [Named(variable: try a.variable.meanSquaredError(b.variable), axes: [])]

        case .identity(let a, let b):
            let n = try size(a.size)
            var eye = try Tensor<Float>(shape: [n, n])
            for i in 0..<n { eye[[i, i]] = 1 }
            return [Named(variable: Variable(eye), axes: [a.name, b.name])]

        case .fill(let f):
            return [try fill(f, g.type(of: op.outputs[0]))]

        case .embedding(let table, let output):
            return [try embed(op, x[0], table: table, output: output)]

        case .gather(let axis):
            return [try gather(x[0], x[1], axis: axis)]

        case .select(let fill):
            return [try select(x, fill: fill.map(constant), type: g.type(of: op.outputs[0]))]

        case .causalMask(let query, let key):
            return [try causal(x[0], query: query, key: key)]

        case .diagonal(let kept, let merged):
            return [try diagonal(x[0], kept: kept, merged: merged)]

        case .freeTensor:
            return [try freeTensor(op, g.type(of: op.outputs[0]))]

        case .save:
            return []

        case .load:
            return [x[0]]

        case .call(let child):
            return try call(op, child, x, in: g)

        case .abstract(let name):
            throw ExecError.unsupported("`\(name)` is declared without a body, so there is nothing to run")
        }
    }

    /// An einsum, times `scale`. Operands are labelled by their own axis names; carried-in
    /// axes stay in the output.
    func contract(_ op: Operation, _ x: [Named], in g: DiagramGraph, scale: Float = 1) throws -> Named {
        guard case .einsum(let contraction) = op.kind else {
            throw ExecError.internalError("`\(op.kind.mnemonic)` is not an einsum")
        }
        let output = contraction.output
        let carried = x.flatMap(\.axes).filter { !output.contains($0) && !contraction.summed.contains($0) }
        var extras: [String] = []
        for a in carried where !extras.contains(a) { extras.append(a) }
        let labels = extras + output
        return Named(variable: try einsum(x.map { ($0.variable, $0.axes) }, output: labels, scale: scale), axes: labels)
    }

    /// A constant's value with the free sizes bound.
    func constant(_ factor: ScalarFactor) throws -> Float {
        guard let value = factor.formula.evaluate(sizes) else {
            throw ExecError.internalError("constant `\(factor.written)` has an unbound size")
        }
        return Float(value)
    }

    func spec(_ g: WindowGeometry) -> WindowSpec {
        WindowSpec(kernel: g.kernel, stride: g.stride, padding: g.padding, dilation: g.dilation)
    }

    func unary(_ f: UnaryFunction, _ v: Variable<Float>) throws -> Variable<Float> {
        switch f {
        case .relu: return try v.relu()
        case .gelu: return try v.gelu()
        case .tanh: return try v.tanh()
        case .sigmoid: return try v.sigmoid()
        case .exp: return try v.exp()
        case .log: return try v.log()
        case .sqrt: return try v.sqrt()
        case .square: return try v.square()
        case .neg: return try -v
        case .abs: return try v.abs()
        case .geluTanh: return try v.geluTanh()
        case .silu: return try v.silu()
        case .softplus: return try v.softplus()
        case .sin: return try v.sin()
        case .cos: return try v.cos()
        case .erf: return try v.erf()
        }
    }

    /// a ∘ b matched by axis name: the result has a's axes then b's others.
    func binary(_ f: BinaryFunction, _ a: Named, _ b: Named) throws -> Named {
        let axes = a.axes + b.axes.filter { !a.axes.contains($0) }
        let (x, y) = (try a.spread(to: axes), try b.spread(to: axes))
        let result =
            switch f {
            case .add: try x + y
            case .subtract: try x - y
            case .multiply: try x * y
            case .divide: try x / y
            }
        return Named(variable: result, axes: axes)
    }

    func normalize(_ kind: Normalization, _ axes: [String], _ op: Operation, _ x: Named) throws -> Named {
        if kind == .batch { return try batchNormalize(axes, op, x) }
        let (moved, undo) = try x.mergingToEnd(axes, as: "§norm")
        let features = moved.shape.last!
        let ps = try parameters(of: op, roles: kind == .layer ? [.scale, .shift] : [.scale])
        let w = try ps[0]?.reshapedVariable([features]) ?? Variable(Tensor(shape: [features], repeating: 1))
        let y: Variable<Float>
        if kind == .layer {
            let b = try ps[1]?.reshapedVariable([features]) ?? Variable(Tensor(shape: [features]))
            y = try layerNorm(moved.variable, weight: w, bias: b)
        } else {
            y = try moved.variable.rmsNorm(weight: w)
        }
        return try undo(Named(variable: y, axes: moved.axes))
    }

    /// Batch norm with the executor's own affine terms and running statistics, so loaded
    /// weights are used and the statistics a training run updates are saved. The tensor is
    /// read in place when the feature axes are neighbours in order ([b, ch, h, w] as
    /// [b, ch, h·w]); otherwise they are moved last first.
    func batchNormalize(_ axes: [String], _ op: Operation, _ x: Named) throws -> Named {
        guard let meanBuffer = op.parameter(.runningMean), let varianceBuffer = op.parameter(.runningVariance) else {
            throw ExecError.internalError("no running statistics for `\(op.instancePath)`")
        }
        let (mean, variance) = (try buffer(meanBuffer), try buffer(varianceBuffer))
        let ps = try parameters(of: op, roles: [.scale, .shift])
        let positions = axes.compactMap(x.axes.firstIndex)
        let first = positions.first ?? 0
        let inPlace = positions == Array(first..<(first + positions.count))
        let (source, undo): (Named, (Named) throws -> Named) =
            inPlace ? (x, { $0 }) : try x.mergingToEnd(axes, as: "§norm")
        let start = inPlace ? first : source.axes.count - 1
        let end = inPlace ? first + axes.count : source.axes.count
        let features = source.shape[start..<end].reduce(1, *)
        let blocks = [source.shape[..<start].reduce(1, *), features, source.shape[end...].reduce(1, *)]
        let bn = BatchNorm<Float>(
            weight: try ps[0]?.reshapedVariable([features]) ?? Variable(Tensor(shape: [features], repeating: 1)),
            bias: try ps[1]?.reshapedVariable([features]) ?? Variable(Tensor(shape: [features])),
            runningMean: try mean.value.reshaped([features]),
            runningVariance: try variance.value.reshaped([features]),
            featureAxis: 1)
        let y = try bn(try source.variable.reshapedVariable(blocks), training: training).reshapedVariable(source.shape)
        if training {
            mean.update { $0 = bn.runningMean.storage }
            variance.update { $0 = bn.runningVariance.storage }
            if let counter = op.parameter(.batchesTracked) { try buffer(counter).update { $0[0] += 1 } }
        }
        return try undo(Named(variable: y, axes: source.axes))
    }

    func crossEntropy(_ logits: Named, _ targets: Named, classAxis: String, indices: Bool) throws -> Named {
        let rest = logits.axes.filter { $0 != classAxis }
        let moved = try logits.ordered(rest + [classAxis])
        let rows = moved.variable.value.count / Swift.max(moved.shape.last!, 1)
        let flat = try moved.variable.reshapedVariable([rows, moved.shape.last!])
        if indices {
            let labels = try integerIds(
                try targets.ordered(rest), below: moved.shape.last!, for: "cross_entropy", axis: classAxis)
            return Named(variable: try flat.crossEntropy(classAxis: 1, targets: labels), axes: [])
        }
        let probabilities = try targets.ordered(rest + [classAxis]).variable.reshapedVariable([rows, moved.shape.last!])
        let perRow = try (try probabilities * flat.logSoftmax(axis: 1)).sum(axes: [1])
        return Named(variable: try (-perRow).mean(axes: [0]).reshapedVariable([]), axes: [])
    }

    func convolve(
        _ op: Operation, _ x: Named, spatial: [String], input: [String], output: [Axis],
        geometry: WindowGeometry, bias: Bool, transposed: Bool
    ) throws -> Named {
        let ps = try parameters(of: op, roles: bias ? [.weight, .bias] : [.weight])
        guard let weight = ps[0] else { throw ExecError.internalError("no weight for `\(op.instancePath)`") }
        let outSizes = try output.map { try size($0.size) }
        guard spatial.count == 2 else {
            // Any other number of spatial axes: the paper's ★ window, then the contraction
            // with the kernel over channel and window axes.
            guard !transposed else {
                throw ExecError.unsupported(
                    "transposed convolution over \(spatial.count) spatial axes (2 are supported)")
            }
            let windowAxes = spatial.map { "§window.\($0)" }
            let windowed = try x.variable.window(spatial: try spatial.map(x.index), spec(geometry))
            // The output channels may share the input channels' names (`c -> c: 2*c`).
            let outLabels = output.indices.map { "§out.\($0)" }
            let rest = x.axes.filter { !input.contains($0) }
            var y = try einsum(
                [(windowed, x.axes + windowAxes), (weight, outLabels + input + windowAxes)], output: rest + outLabels)
            if bias, let b = ps[1] { y = try y + b }
            return Named(variable: y, axes: rest + output.map(\.name))
        }
        // [batch…, channels, h, w] with the batch axes merged, and each channel group merged
        // into one axis, as conv2d takes.
        let rest = x.axes.filter { !input.contains($0) && !spatial.contains($0) }
        let moved = try x.ordered(rest + input + spatial)
        let batchShape = Array(moved.shape.prefix(rest.count))
        let inCount = moved.shape.dropFirst(rest.count).prefix(input.count).reduce(1, *)
        let image = try moved.variable.reshapedVariable(
            [batchShape.reduce(1, *), inCount] + Array(moved.shape.suffix(2)))
        let channels = transposed ? [inCount, outSizes.reduce(1, *)] : [outSizes.reduce(1, *), inCount]
        let kernel = try weight.reshapedVariable(channels + Array(weight.shape.suffix(2)))
        let b = try bias ? ps[1].map { try $0.reshapedVariable([outSizes.reduce(1, *)]) } : nil
        let y =
            transposed
            ? try image.convTranspose2d(weight: kernel, bias: b, spec(geometry))
            : try image.conv2d(weight: kernel, bias: b, spec(geometry))
        let out = try y.reshapedVariable(batchShape + outSizes + Array(y.shape.suffix(2)))
        return Named(variable: out, axes: rest + output.map(\.name) + spatial)
    }
}
