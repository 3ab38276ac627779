import NCDCore

/// Learned operations: the layer that holds an instance's tensors (a `torch.nn` layer
/// where ncd's layout is that layer's, else a `Learned` in ncd's layout) and the forward
/// that uses them. An operation that `shares` another's tensors reads the owner's.
extension TorchClassWriter {
    /// `self.attn.q.weight`: a parameter by its ncd name, from this module.
    func access(_ name: String, _ op: Operation) throws -> String {
        try ModuleTree.access(relativePath(name, op))
    }

    /// A dotted ncd name's segments under this module's prefix.
    func relativePath(_ name: String, _ op: Operation) throws -> [String] {
        let segments = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let own = prefix.isEmpty ? [] : prefix.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard segments.count > own.count, Array(segments.prefix(own.count)) == own else {
            throw ExportError(
                "`\(op.kind.mnemonic)` uses `\(name)`, which belongs to an instance outside `\(graph.name)` (\(prefix)); a PyTorch module can only reach its own sub-modules",
                at: op.location)
        }
        return Array(segments.dropFirst(own.count))
    }

    /// A parameter's shape at export (parameters have fixed sizes).
    func shape(_ p: Parameter, _ op: Operation) throws -> [Int] {
        try p.type.axes.map { axis in
            guard axis.size.freeSymbols.allSatisfy({ exporter.boundSizes[$0] != nil }) else {
                throw ExportError(
                    "`\(p.name)` has a free size in its shape \(p.type): bind it with --size", at: op.location)
            }
            return try extent(axis.size)
        }
    }

    /// Registers an instance's holder in `__init__`: `layer` when given (a `torch.nn`
    /// layer whose tensors have ncd's layouts), else a `Learned` with ncd's shapes.
    func declare(_ op: Operation, layer: String?) throws {
        guard op.sharedFrom == nil, let first = op.ownedParameters.first, let instance = op.instance else { return }
        let path = try relativePath(instance.path, op)
        if case .freeTensor = op.kind {
            try tree.insert(path, "nn.Parameter(\(try initializer(first, op)))")
            return
        }
        if let layer {
            try tree.insert(path, layer)
            layers.insert(instance.path)
            return
        }
        var parameters: [String] = []
        var buffers: [String] = []
        for p in op.ownedParameters {
            let entry = "\(PythonLiteral.string(p.role.stateDictName ?? "weight")): \(try initializer(p, op))"
            if p.role.isTrainable { parameters.append(entry) } else { buffers.append(entry) }
        }
        var arguments: [String] = []
        if !parameters.isEmpty { arguments.append("parameters={\(parameters.joined(separator: ", "))}") }
        if !buffers.isEmpty { arguments.append("buffers={\(buffers.joined(separator: ", "))}") }
        try tree.insert(path, "Learned(\(arguments.joined(separator: ", ")))")
    }

    /// `learned((768, 768), "uniform", 0.036)`: a tensor made as ncd initialises it.
    func initializer(_ p: Parameter, _ op: Operation) throws -> String {
        let shape = PythonLiteral.tuple(try shape(p, op).map(String.init))
        switch p.initializer {
        case .kaimingUniform(let fanIn):
            return "learned(\(shape), \"uniform\", \(PythonLiteral.number(1 / Double(try extent(fanIn)).squareRoot())))"
        case .normal(let std): return "learned(\(shape), \"normal\", \(PythonLiteral.number(std)))"
        case .ones: return "learned(\(shape), \"ones\")"
        case .zeros: return "learned(\(shape), \"zeros\")"
        }
    }

    /// Whether the operation's instance is held by a `torch.nn` layer it can call.
    func callsLayer(_ op: Operation) -> Bool {
        op.sharedFrom == nil && op.instance.map { layers.contains($0.path) } == true
    }

    /// The tensor of `role`, its axes put in `layout` (a weight tied transposed) and then
    /// reshaped when its use wants another shape; nil when absent.
    func tensor(_ op: Operation, _ role: ParameterRole, layout: [String] = [], reshaped: String? = nil) throws
        -> String?
    {
        guard let p = op.parameter(role) else { return nil }
        var base = try access(p.name, op)
        if let order = p.permutation(to: layout) {
            base += ".permute(\(order.map(String.init).joined(separator: ", ")))"
        }
        return reshaped.map { "\(base).reshape(\($0))" } ?? base
    }

    func linear(_ op: Operation, _ x: PyValue, input: [Axis], output: [Axis], bias: Bool) throws -> PyValue {
        let (moved, _) = try x.mergingToEnd(input.map(\.name), as: "§in")
        let outSizes = try output.map { try extent($0.size) }
        let inCount = try input.reduce(1) { $0 * (try extent($1.size)) }
        let outCount = outSizes.reduce(1, *)
        let weight = try op.parameter(.weight).map { try shape($0, op) }
        let biasShape = try op.parameter(.bias).map { try shape($0, op) }
        let layout = (output + input).map(\.name)
        let plain =
            input.count == 1 && output.count == 1 && weight == [outCount, inCount]
            && (biasShape == nil || biasShape == [outCount]) && op.parameter(.weight)?.permutation(to: layout) == nil
        try declare(op, layer: plain ? "nn.Linear(\(inCount), \(outCount)\(bias ? "" : ", bias=False"))" : nil)
        let y: PyValue
        if callsLayer(op) {
            y = PyValue(expr: "\(try access(op.instance!.path, op))(\(moved.expr))", axes: [])
        } else {
            guard
                let w = try tensor(op, .weight, layout: layout, reshaped: weight?.count == 2 ? nil : "\(outCount), -1")
            else {
                throw ExportError("internal error: no weight", at: op.location)
            }
            let b =
                try bias
                ? tensor(op, .bias, reshaped: op.parameter(.bias).map { $0.type.axes.count == 1 } == true ? nil : "-1")
                : nil
            y = PyValue(expr: "F.linear(\(moved.expr), \(w)\(b.map { ", \($0)" } ?? ""))", axes: [])
        }
        let rest = Array(moved.axes.dropLast())
        let axes = rest + output.map(\.name)
        switch output.count {
        case 1: return PyValue(expr: y.expr, axes: axes)
        case 0: return y.calling("squeeze", "-1", axes: axes)
        default:
            let split = PythonLiteral.tuple(output.map { sizes.expression($0.size) })
            return y.calling("unflatten", "-1, \(split)", axes: axes)
        }
    }

    func normalize(_ kind: Normalization, _ axes: [String], _ op: Operation, _ x: PyValue) throws -> PyValue {
        let features = try axes.map { name -> Int in
            guard let a = graph.type(of: op.inputs[0]).axis(named: name) else {
                throw ExportError("internal error: no axis `\(name)`", at: op.location)
            }
            return try extent(a.size)
        }.reduce(1, *)
        let shapes = try op.ownedParameters.map { try shape($0, op) }
        let flat = shapes.allSatisfy { $0 == [features] || $0 == [] }
        if kind == .batch { return try batchNormalize(axes, op, x, features: features, flat: flat) }
        let (moved, undo) = try x.mergingToEnd(axes, as: "§norm")
        let weight = try tensor(op, .scale, reshaped: flat ? nil : "-1") ?? "None"
        let y: String
        if kind == .layer {
            let complete = op.parameter(.scale) != nil && op.parameter(.shift) != nil
            try declare(op, layer: flat && complete ? "nn.LayerNorm(\(features))" : nil)
            let bias = try tensor(op, .shift, reshaped: flat ? nil : "-1") ?? "None"
            y =
                callsLayer(op)
                ? "\(try access(op.instance!.path, op))(\(moved.expr))"
                : "F.layer_norm(\(moved.expr), (\(features),), \(weight), \(bias), 1e-05)"
        } else {
            try declare(op, layer: flat && op.parameter(.scale) != nil ? "nn.RMSNorm(\(features), eps=1e-06)" : nil)
            y =
                callsLayer(op)
                ? "\(try access(op.instance!.path, op))(\(moved.expr))"
                : "F.rms_norm(\(moved.expr), (\(features),), \(weight), 1e-06)"
        }
        return try undo(PyValue(expr: y, axes: moved.axes))
    }

    /// Batch norm on `[outer, features, inner]` blocks, read in place where the feature
    /// axes are neighbours in order, as the runtime reads them.
    func batchNormalize(_ axes: [String], _ op: Operation, _ x: PyValue, features: Int, flat: Bool) throws -> PyValue {
        let positions = axes.compactMap { x.axes.firstIndex(of: $0) }
        let first = positions.first ?? 0
        let inPlace = positions == Array(first..<(first + positions.count))
        let source: PyValue
        var undo: (PyValue) throws -> PyValue = { $0 }
        if inPlace {
            source = x
        } else {
            let merged = try x.mergingToEnd(axes, as: "§norm")
            source = bind(merged.0, hint: "flat")
            undo = merged.undo
        }
        let end = inPlace ? first + axes.count : source.axes.count
        let inner = end == source.axes.count ? "1" : "math.prod(\(source.expr).shape[\(end):])"
        let blocks = "\(source.expr).reshape(-1, \(features), \(inner))"
        let complete = op.parameter(.scale) != nil && op.parameter(.shift) != nil
        try declare(op, layer: flat && complete ? "nn.BatchNorm1d(\(features))" : nil)
        let y: String
        if callsLayer(op) {
            y = "\(try access(op.instance!.path, op))(\(blocks))"
        } else {
            let tensors = try [ParameterRole.runningMean, .runningVariance, .scale, .shift].map {
                try tensor(op, $0, reshaped: "-1") ?? "None"
            }
            if let counter = try tensor(op, .batchesTracked) {
                lines.append("if self.training:")
                lines.append("    \(counter).add_(1)")
            }
            y = "F.batch_norm(\(blocks), \(tensors.joined(separator: ", ")), self.training, 0.1, 1e-05)"
        }
        return try undo(PyValue(expr: "\(y).reshape(\(source.expr).shape)", axes: source.axes))
    }

    func convolve(
        _ op: Operation, _ x: PyValue, spatial: [String], input: [String], output outputAxes: [Axis],
        geometry g: WindowGeometry, bias: Bool, transposed: Bool
    ) throws -> PyValue {
        guard let weightParameter = op.parameter(.weight) else {
            throw ExportError("internal error: no weight", at: op.location)
        }
        let weight = try shape(weightParameter, op)
        let output = outputAxes.map(\.name)
        let outSizes = try outputAxes.map { try extent($0.size) }
        let grouped = input.count > 1 || output.count > 1
        guard spatial.count == 2 else {
            guard !transposed else {
                throw ExportError("transposed convolution over \(spatial.count) spatial axes", at: op.location)
            }
            try declare(op, layer: nil)
            let windowAxes = spatial.map { "§window.\($0)" }
            let dims = try spatial.map { String(try x.position(of: $0)) }
            let windowed = PyValue(
                expr: "window(\(x.expr), \(PythonLiteral.tuple(dims)), \(Self.geometry(g)))", axes: x.axes + windowAxes)
            let outLabels = output.indices.map { "§out.\($0)" }
            let kernel = PyValue(expr: try access(weightParameter.name, op), axes: outLabels + input + windowAxes)
            let rest = x.axes.filter { !input.contains($0) }
            let contraction = Contraction(
                operands: [windowed.axes, kernel.axes], output: rest + outLabels)
            var y = try einsum(contraction, [windowed, kernel])
            if bias, let b = try tensor(op, .bias) {
                y = PyValue(expr: "\(y.expr) + \(b)", axes: y.axes, isAtomic: false)
            }
            return PyValue(expr: y.expr, axes: rest + output, isAtomic: y.isAtomic)
        }
        let rest = x.axes.filter { !input.contains($0) && !spatial.contains($0) }
        let moved = bind(try x.ordered(rest + input + spatial), hint: "image")
        var image: String
        switch rest.count {
        case 0: image = "\(moved.expr).unsqueeze(0)"
        case 1: image = moved.expr
        default: image = "\(moved.expr).flatten(0, \(rest.count - 1))"
        }
        // A channel group (`c -> k heads`) is one channel axis of conv2d.
        if input.count > 1 { image += ".flatten(1, \(input.count))" }
        let biasRank = try op.parameter(.bias).map { try shape($0, op).count }
        let plain =
            !grouped && weight.count == 4 && weight[2] == g.kernel && weight[3] == g.kernel && (biasRank ?? 1) == 1
        let (channelsIn, channelsOut) = transposed ? (weight[0], weight[1]) : (weight[1], weight[0])
        let options = [Self.geometry(g)] + (bias ? [] : ["bias=False"])
        let layer =
            "nn.\(transposed ? "ConvTranspose2d" : "Conv2d")(\(channelsIn), \(channelsOut), \(options.joined(separator: ", ")))"
        try declare(op, layer: plain ? layer : nil)
        let y: String
        if callsLayer(op) {
            y = "\(try access(op.instance!.path, op))(\(image))"
        } else {
            let inCount = weight.reduce(1, *) / (outSizes.reduce(1, *) * g.kernel * g.kernel)
            let channels = transposed ? "\(inCount), \(outSizes.reduce(1, *))" : "\(outSizes.reduce(1, *)), \(inCount)"
            let w = try tensor(op, .weight, reshaped: grouped ? "\(channels), \(g.kernel), \(g.kernel)" : nil)!
            let b = try bias ? tensor(op, .bias, reshaped: output.count > 1 ? "-1" : nil) ?? "None" : "None"
            var geometry = ""
            if g.stride != 1 { geometry += ", stride=\(g.stride)" }
            if g.padding != 0 { geometry += ", padding=\(g.padding)" }
            if g.dilation != 1 { geometry += ", dilation=\(g.dilation)" }
            y = "F.\(transposed ? "conv_transpose2d" : "conv2d")(\(image), \(w), \(b)\(geometry))"
        }
        var out: String
        switch rest.count {
        case 0: out = "\(y).squeeze(0)"
        case 1: out = y
        default: out = "\(y).unflatten(0, \(moved.expr).shape[:\(rest.count)])"
        }
        if output.count > 1 {
            out += ".unflatten(\(rest.count), \(PythonLiteral.tuple(outputAxes.map { sizes.expression($0.size) })))"
        }
        return PyValue(expr: out, axes: rest + output + spatial)
    }

    func embed(_ op: Operation, _ ids: PyValue, table: Axis, output: [Axis]) throws -> PyValue {
        guard let weightParameter = op.parameter(.weight) else {
            throw ExportError("internal error: no table", at: op.location)
        }
        let weight = try shape(weightParameter, op)
        let rows = try extent(table.size)
        let widths = try output.map { try extent($0.size) }
        let plain = output.count == 1 && weight == [rows] + widths
        try declare(op, layer: plain ? "nn.Embedding(\(rows), \(widths[0]))" : nil)
        let axes = ids.axes + output.map(\.name)
        if callsLayer(op) {
            return PyValue(expr: "\(try access(op.instance!.path, op))(\(ids.operand).long())", axes: axes)
        }
        let w = try access(weightParameter.name, op)
        let looked = "F.embedding(\(ids.operand).long(), \(w)\(weight.count == 2 ? "" : ".reshape(\(rows), -1)"))"
        guard output.count != 1 else { return PyValue(expr: looked, axes: axes) }
        let split = PythonLiteral.tuple(output.map { sizes.expression($0.size) })
        return PyValue(expr: "\(looked).unflatten(-1, \(split))", axes: axes)
    }
}
