import NCDCore

/// Lowers a checked diagram into one ONNX graph: sub-diagrams inlined, each operation the
/// ONNX form of ``NCDExec/Executor``'s rule for it, on the same layouts.
final class OnnxLowering {
    let g: OnnxGraph
    unowned let exporter: OnnxExporter
    /// Counter for the names axes carried into a call take.
    var uniqueCounter = 0

    init(graph: OnnxGraph, exporter: OnnxExporter) {
        self.g = graph
        self.exporter = exporter
    }

    /// Lowers `graph` on its arguments; returns its results.
    func lower(_ graph: DiagramGraph, _ inputs: [OnnxValue]) throws -> [OnnxValue] {
        var values: [ValueID: OnnxValue] = [:]
        for (id, x) in zip(graph.inputs, inputs) { values[id] = x }
        for op in graph.operations {
            let args = try op.inputs.map { id -> OnnxValue in
                guard let v = values[id] else {
                    throw ExportError("internal error: value \(id) used before it is made")
                }
                return v
            }
            let results = try apply(op, args, in: graph)
            guard results.count == op.outputs.count else {
                throw ExportError("internal error: `\(op.kind.mnemonic)` made \(results.count) values", at: op.location)
            }
            for (id, r) in zip(op.outputs, results) { values[id] = r }
        }
        return try graph.outputs.map { id in
            guard let v = values[id] else { throw ExportError("internal error: output of `\(graph.name)` never made") }
            return v
        }
    }

    /// A learned tensor by its ncd name: an initializer (or, with `--no-weights`, an input).
    func parameter(_ p: Parameter, _ op: Operation) throws -> String {
        try exporter.parameter(p, at: op)
    }

    /// A constant of the source, with the sizes bound at export.
    func constant(_ factor: ScalarFactor, _ op: Operation) throws -> String {
        guard let value = factor.formula.evaluate(exporter.fixedSizes) else {
            throw ExportError(
                "the constant `\(factor.written)` depends on a free size; bind it with --size", at: op.location)
        }
        return g.float(Float(value))
    }

    /// The extent of an axis of an operation's result, from its type.
    func extent(_ axis: String, of id: ValueID, in graph: DiagramGraph) throws -> SizeExpr {
        guard let a = graph.type(of: id).axis(named: axis) else {
            throw ExportError("internal error: no axis `\(axis)` in \(graph.type(of: id))")
        }
        return a.size
    }

    /// Integer ids as ONNX indexes them.
    func ids(_ v: OnnxValue) -> String {
        g.op("Cast", [v.name], name: "ids", [.int("to", Int(Onnx_TensorProto.DataType.int64.rawValue))])
    }

    /// A call, inlined: arguments renamed to the callee's axes, the axes the call is
    /// broadcast over carried along under names of their own, as the runtime carries them.
    func call(_ op: Operation, _ child: DiagramGraph, _ args: [OnnxValue], in graph: DiagramGraph) throws -> [OnnxValue]
    {
        let renaming = CallRenaming(op, of: child, in: graph, counter: &uniqueCounter)
        let inputs = try args.enumerated().map { i, arg -> OnnxValue in
            guard let axes = renaming.argument(i, arg.axes) else {
                throw ExportError("internal error: argument \(i + 1) of `\(child.name)`", at: op.location)
            }
            return OnnxValue(name: arg.name, axes: axes, extents: arg.extents)
        }
        return try lower(child, inputs).enumerated().map { j, result in
            guard let axes = renaming.result(j, result.axes) else {
                throw ExportError("internal error: output \(j + 1) of `\(child.name)`", at: op.location)
            }
            return OnnxValue(name: result.name, axes: axes, extents: result.extents)
        }
    }
}
