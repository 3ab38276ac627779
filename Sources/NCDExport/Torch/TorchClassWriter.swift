import Foundation
import NCDCore

/// Writes one `nn.Module` class: a diagram's `__init__` (its instances, named as ncd names
/// their parameters) and its `forward` for one layout of its arguments. Each operation
/// becomes one line that does what ``NCDExec/Executor`` does with it, on the same layout.
final class TorchClassWriter {
    let graph: DiagramGraph
    unowned let exporter: TorchExporter
    /// The module's instance path (`h.0`), the prefix of its parameters' names; "" at the root.
    let prefix: String
    /// Each argument's axes as the caller lays them out (carried axes under `§` names).
    let inputAxes: [[String]]
    /// Display names of the carried axes, for comments.
    var display: [String: String]

    var namer = PythonNamer()
    var sizes = PythonSizes()
    var lines: [String] = []
    var values: [ValueID: PyValue] = [:]
    var uniqueCounter = 0
    /// The module's attributes, built by `__init__`.
    var tree = ModuleTree()
    /// Instances held by a `torch.nn` layer of the same layout (called as `self.q(x)`).
    var layers: Set<String> = []
    var usesDevice = false

    init(
        graph: DiagramGraph, exporter: TorchExporter, prefix: String, inputAxes: [[String]],
        display: [String: String]
    ) {
        self.graph = graph
        self.exporter = exporter
        self.prefix = prefix
        self.inputAxes = inputAxes
        self.display = display
    }

    /// The class's text with `NAME` for its name, and each output's axes.
    func write(docstring: String) throws -> (text: String, outputs: [[String]]) {
        var parameterNames: [String] = []
        for (id, axes) in zip(graph.inputs, inputAxes) {
            let name = namer.fresh(graph.values[id].name ?? "x")
            parameterNames.append(name)
            values[id] = PyValue(expr: name, axes: axes)
        }
        var index = 0
        while index < graph.operations.count {
            if let (loop, chained) = stack(at: index), try emitStack(loop, chained: chained) {
                index = loop.iterations.last!.operations.upperBound
                continue
            }
            try emit(graph.operations[index])
            index += 1
        }
        var outputs: [PyValue] = try graph.outputs.map { id in
            guard let v = values[id] else { throw ExportError("internal error: output of `\(graph.name)` never made") }
            return v
        }
        if prefix.isEmpty && exporter.entry === graph {
            // The entry returns each output in its declared axis order, as `ncd run` does.
            outputs = try zip(graph.outputs, outputs).map { id, v in try v.ordered(graph.type(of: id).names) }
        }
        let returned = outputs.map(\.expr).joined(separator: ", ")
        lines.append("return \(outputs.count == 1 ? returned : "(\(returned))")")
        let bindings = try sizeBindings(parameterNames)
        var body = bindings + (usesDevice ? constantsSource(parameterNames) : []) + lines
        body = body.map(resolvingSizes)

        var text = "class NAME(nn.Module):\n"
        text += "    \"\"\"\(docstring)\"\"\"\n\n"
        text += "    def __init__(self):\n        super().__init__()\n"
        for line in tree.initLines() { text += "        \(line)\n" }
        text += "\n    def forward(self\(parameterNames.map { ", \($0)" }.joined())):\n"
        let signature = zip(parameterNames, inputAxes).map { "\($0): \(axesText($1))" }
        let results = zip(graph.outputs, outputs).map { id, v in
            (graph.values[id].name.map { "\($0): " } ?? "") + axesText(v.axes)
        }
        text += "        \"\"\"\(signature.joined(separator: ", ")) -> \(results.joined(separator: ", "))\"\"\"\n"
        for line in body { text += line.isEmpty ? "\n" : "        \(line)\n" }
        return (text, outputs.map(\.axes))
    }

    /// `[b, t, d]`, carried axes by their outer names.
    func axesText(_ axes: [String]) -> String {
        "[" + axes.map { display[$0] ?? Self.readable($0) }.joined(separator: ", ") + "]"
    }

    /// An internal axis name as a reader knows it: `§b#3` → `b`.
    static func readable(_ axis: String) -> String {
        guard axis.hasPrefix("§") else { return axis }
        let body = axis.dropFirst()
        return String(body.split(separator: "#").first ?? body)
    }

    // MARK: Lines

    /// Binds an operation's result to a fresh variable: one line, with its axes.
    func assign(_ v: PyValue, name hint: String, at op: NCDCore.Operation) -> PyValue {
        let name = namer.fresh(hint)
        lines.append("\(name) = \(v.expr)  # \(axesText(v.axes))\(exporter.sourceNote(op))")
        return PyValue(expr: name, axes: v.axes)
    }

    /// A variable for an intermediate value some step reads the shape of.
    func bind(_ v: PyValue, hint: String) -> PyValue {
        guard !v.isVariable else { return v }
        let name = namer.fresh(hint)
        lines.append("\(name) = \(v.expr)")
        return PyValue(expr: name, axes: v.axes)
    }

    func emit(_ op: NCDCore.Operation) throws {
        let args = try op.inputs.map { id -> PyValue in
            guard let v = values[id] else { throw ExportError("internal error: value \(id) used before it is made") }
            return v
        }
        let results = try apply(op, args)
        guard results.count == op.outputs.count else {
            throw ExportError("internal error: `\(op.kind.mnemonic)` made \(results.count) values", at: op.location)
        }
        if results.count > 1 {
            // A call returning a tuple: one line, each part named.
            let names = op.outputs.map { namer.fresh(graph.values[$0].name ?? Self.hint(op)) }
            let shown = results.map { axesText($0.axes) }.joined(separator: ", ")
            lines.append(
                "\(names.joined(separator: ", ")) = \(results[0].expr)  # \(shown)\(exporter.sourceNote(op))")
            for (id, (name, r)) in zip(op.outputs, zip(names, results)) {
                values[id] = PyValue(expr: name, axes: r.axes)
            }
            return
        }
        for (id, r) in zip(op.outputs, results) {
            values[id] = r.isVariable ? r : assign(r, name: graph.values[id].name ?? Self.hint(op), at: op)
        }
    }

    /// A name for an unnamed result: the instance's (`attn`), else the operation's, in
    /// lower case (a call's diagram name would shadow its class).
    static func hint(_ op: NCDCore.Operation) -> String {
        if case .call = op.kind, let instance = op.instance, instance.isChosen { return instance.name }
        return op.kind.mnemonic.lowercased()
    }

    // MARK: Sizes

    /// `b = tokens.shape[0]`: each free size the forward uses, read from the first argument
    /// that carries it as an axis of its own type.
    func sizeBindings(_ parameters: [String]) throws -> [String] {
        var out: [String] = []
        var names: [String: String] = [:]
        for symbol in sizes.used {
            var source: String?
            for (i, id) in graph.inputs.enumerated() {
                for axis in graph.type(of: id).axes where axis.size == .symbol(symbol) {
                    if source == nil, let k = inputAxes[i].firstIndex(of: axis.name) {
                        source = "\(parameters[i]).shape[\(k)]"
                    }
                }
            }
            let name = namer.fresh(symbol)
            names[symbol] = name
            if let source {
                out.append("\(name) = \(source)")
            } else if let fixed = exporter.boundSizes[symbol] {
                out.append("\(name) = \(fixed)  # fixed at export: no argument carries it")
            } else {
                throw ExportError(
                    "free size `\(symbol)` is carried by no argument of `\(graph.name)`, so the exported code cannot read it: bind it with --size \(symbol)=N"
                )
            }
        }
        sizeNames = names
        return out
    }

    var sizeNames: [String: String] = [:]

    func resolvingSizes(_ line: String) -> String {
        guard line.contains("\u{1}") else { return line }
        var out = line
        for (symbol, name) in sizeNames {
            out = out.replacingOccurrences(of: PythonSizes.placeholder(symbol), with: name)
        }
        return out
    }

    /// Where and in what type constants are made: the arguments' device and floating type
    /// (or the parameters'), so the module runs on a GPU and in `model.double()` or bf16.
    func constantsSource(_ parameters: [String]) -> [String] {
        let tensors = parameters.isEmpty ? "*self.parameters()" : parameters.joined(separator: ", ")
        return [
            "dev = \(parameters.first.map { "\($0).device" } ?? "next(self.parameters(), torch.empty(0)).device")",
            "dt = float_type(\(tensors))",
        ]
    }

    /// The value of a size at export, for layout decisions the runtime makes on extents.
    func extent(_ e: SizeExpr) throws -> Int {
        do { return try e.evaluate(exporter.sizes) } catch {
            throw ExportError("internal error: size \(e) has no value at export")
        }
    }
}
