import Foundation
import NCDCore
import SwiftProtobuf

/// `ncd export --to onnx`: a checked diagram as one ONNX model (opset 18), sub-diagrams
/// inlined. Inputs and outputs are named by the signature, free sizes are dynamic
/// dimensions, and parameters are initializers named by their dotted names (or, with no
/// weights, inputs of those names).
public final class OnnxExporter {
    /// ONNX's operator set the model is written for.
    public static let opset = 18

    let entry: DiagramGraph
    /// The parameters' values by ncd name (shape, row-major floats); nil for a graph only.
    let weights: [String: (shape: [Int], values: [Float])]?
    /// Whether dropout drops and batch norm uses the batch's statistics.
    let training: Bool
    /// The entry inputs read as integer ids (declared int64).
    let idInputs: Set<ValueID>
    /// Sizes bound at export; free sizes get stand-ins for layout questions only.
    let fixedSizes: [String: Int]
    let sizes: [String: Int]
    private var made: Set<String> = []
    private var parameterInputs: [Onnx_ValueInfoProto] = []
    private var trueName: String?
    let graph = OnnxGraph()

    public init(
        entry: DiagramGraph, sizes: [String: Int], weights: [String: (shape: [Int], values: [Float])]?,
        training: Bool, idInputs: Set<ValueID>
    ) {
        self.entry = entry
        self.weights = weights
        self.training = training
        self.idInputs = idInputs
        self.fixedSizes = sizes
        self.sizes = ExportPlans.sizesWithStandIns(entry, sizes)
    }

    /// The model's bytes.
    public func model() throws -> [UInt8] {
        var inputs: [Onnx_ValueInfoProto] = []
        var values: [OnnxValue] = []
        for id in entry.inputs {
            let v = entry.values[id]
            let name = v.name ?? "input\(id)"
            graph.reserve(name)
            let isIds = idInputs.contains(id)
            inputs.append(try valueInfo(name, v.type.axes.map(\.size), elementType: isIds ? .int64 : .float))
            let value = isIds ? graph.op("Cast", [name], name: "\(name)_float", [.int("to", 1)]) : name
            values.append(OnnxValue(name: value, axes: v.type.names, extents: v.type.axes.map(\.size)))
        }
        // Each free size, read from the shape of the first input carrying it.
        for symbol in TorchExporter.freeSymbols(entry) where fixedSizes[symbol] == nil {
            for id in entry.inputs where graph.symbolTensors[symbol] == nil {
                if let i = entry.type(of: id).axes.firstIndex(where: { $0.size == .symbol(symbol) }) {
                    graph.symbolTensors[symbol] = graph.op(
                        "Shape", [entry.values[id].name ?? "input\(id)"], name: "size_\(symbol)",
                        [.int("start", i), .int("end", i + 1)])
                }
            }
        }
        let results = try OnnxLowering(graph: graph, exporter: self).lower(entry, values)
        var outputs: [Onnx_ValueInfoProto] = []
        for (i, (id, r)) in zip(entry.outputs, results).enumerated() {
            let type = entry.type(of: id)
            let ordered = try graph.ordered(r, type.names)
            let name = graph.fresh(entry.values[id].name ?? "output\(i + 1)")
            graph.node("Identity", [ordered.name], named: name)
            outputs.append(try valueInfo(name, type.axes.map(\.size), elementType: .float))
        }
        var g = Onnx_GraphProto()
        g.name = entry.name
        g.node = graph.nodes
        g.initializer = graph.initializers
        g.input = inputs + parameterInputs
        g.output = outputs
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "ncd"
        model.producerVersion = "0.1.0"
        model.graph = g
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.opset)
        model.opsetImport = [opset]
        return [UInt8](try model.serializedData())
    }

    func valueInfo(_ name: String, _ extents: [SizeExpr], elementType: Onnx_TensorProto.DataType) throws
        -> Onnx_ValueInfoProto
    {
        var shape = Onnx_TensorShapeProto()
        shape.dim = extents.map { e in
            var d = Onnx_TensorShapeProto.Dimension()
            if let n = e.intValue { d.dimValue = Int64(n) } else { d.dimParam = e.description }
            return d
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(elementType.rawValue)
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }

    /// A learned tensor, added on first use: an initializer holding its value, or an input.
    func parameter(_ p: Parameter, at op: NCDCore.Operation) throws -> String {
        if made.contains(p.name) { return p.name }
        let shape = try p.type.axes.map { axis -> Int in
            guard isFixed(axis.size) else {
                throw ExportError(
                    "`\(p.name)` has a free size in its shape \(p.type): bind it with --size", at: op.location)
            }
            return try extent(axis.size)
        }
        if let weights {
            let count: Int = shape.reduce(1, *)
            guard let w = weights[p.name], w.values.count == count else {
                throw ExportError("internal error: no value for `\(p.name)`", at: op.location)
            }
            graph.add(initializer: OnnxGraph.tensor(p.name, shape: shape, floats: w.values))
        } else {
            graph.reserve(p.name)
            parameterInputs.append(try valueInfo(p.name, shape.map { SizeExpr($0) }, elementType: .float))
        }
        made.insert(p.name)
        return p.name
    }

    /// A bool `true`, for Dropout's training mode.
    func trueTensor() -> String {
        if let trueName { return trueName }
        var t = Onnx_TensorProto()
        t.name = graph.fresh("const_true")
        t.dataType = Int32(Onnx_TensorProto.DataType.bool.rawValue)
        t.int32Data = [1]
        graph.add(initializer: t)
        trueName = t.name
        return t.name
    }

    /// A size's value at export (free sizes at their stand-ins).
    func extent(_ e: SizeExpr) throws -> Int {
        do { return try e.evaluate(sizes) } catch { throw ExportError("internal error: size \(e) has no value") }
    }

    /// Whether a size is known at export (no free size in it).
    func isFixed(_ e: SizeExpr) -> Bool { e.freeSymbols.allSatisfy { fixedSizes[$0] != nil } }
}
