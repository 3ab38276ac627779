import Foundation
import NCDCore

/// An ONNX graph being built: its nodes, initializers and constants, each tensor named once.
/// Shapes that depend on free sizes are computed in the graph from the inputs' shapes, so
/// the model keeps those dimensions dynamic.
final class OnnxGraph {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var names = UniqueNames()
    private var constants: [String: String] = [:]
    /// Each free size as a one-element int64 tensor, read from an input's shape.
    var symbolTensors: [String: String] = [:]

    /// A tensor name near `hint`, not taken before.
    func fresh(_ hint: String) -> String { names.fresh(hint) }

    /// Reserves a name given elsewhere (an input, an output, a parameter).
    func reserve(_ name: String) { names.reserve(name) }

    /// Adds a node; returns its outputs' names.
    @discardableResult
    func node(
        _ op: String, _ inputs: [String], outputs count: Int = 1, name hint: String? = nil,
        _ attributes: [Onnx_AttributeProto] = []
    ) -> [String] {
        let outputs = (0..<count).map { _ in fresh(hint ?? op.lowercased()) }
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = fresh("node_" + (hint ?? op.lowercased()))
        n.attribute = attributes
        nodes.append(n)
        return outputs
    }

    /// A node whose one output takes a name chosen (and reserved) by the caller.
    func node(_ op: String, _ inputs: [String], named output: String) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = [output]
        n.name = fresh("node_" + output)
        nodes.append(n)
    }

    /// One node with one output.
    func op(_ op: String, _ inputs: [String], name hint: String? = nil, _ attributes: [Onnx_AttributeProto] = [])
        -> String
    {
        node(op, inputs, name: hint, attributes)[0]
    }

    func add(initializer t: Onnx_TensorProto) {
        reserve(t.name)
        initializers.append(t)
    }

    /// A float32 initializer.
    static func tensor(_ name: String, shape: [Int], floats: [Float]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = shape.map(Int64.init)
        t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var data = Data(capacity: floats.count * 4)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        t.rawData = data
        return t
    }

    /// A constant int64 vector (shapes, axes, indices), made once per value.
    func int64s(_ values: [Int], scalar: Bool = false) -> String {
        let key = "i\(scalar ? "s" : "v")\(values)"
        if let existing = constants[key] { return existing }
        var t = Onnx_TensorProto()
        t.name = fresh(
            scalar
                ? "const_\(values[0])" : "const_" + values.map { $0 < 0 ? "m\(-$0)" : "\($0)" }.joined(separator: "_"))
        t.dims = scalar ? [] : [Int64(values.count)]
        t.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        t.int64Data = values.map(Int64.init)
        initializers.append(t)
        constants[key] = t.name
        return t.name
    }

    /// A constant float32 scalar.
    func float(_ value: Float) -> String {
        let key = "f\(value.bitPattern)"
        if let existing = constants[key] { return existing }
        let t = Self.tensor(fresh("const_f"), shape: [], floats: [value])
        initializers.append(t)
        constants[key] = t.name
        return t.name
    }

    // MARK: Shapes

    /// A 1-D int64 tensor holding these sizes: a constant when none is free, else computed
    /// from the free sizes' tensors.
    func shape(_ sizes: [SizeExpr]) throws -> String {
        if let values = Optional(sizes.compactMap(\.intValue)), values.count == sizes.count {
            return int64s(values)
        }
        let parts = try sizes.map { try size($0) }
        return op("Concat", parts, name: "shape", [.int("axis", 0)])
    }

    /// One size as a one-element int64 tensor.
    func size(_ e: SizeExpr) throws -> String {
        if let n = e.intValue { return int64s([n]) }
        let denominator = e.terms.values.reduce(1) { lcm($0, $1.denominator) }
        var sum: String?
        for (monomial, c) in e.terms.sorted(by: { $0.key > $1.key }) {
            var term = int64s([c.numerator * (denominator / c.denominator)])
            for (atom, power) in monomial.factors.sorted(by: { $0.key < $1.key }) {
                let factor = try self.atom(atom)
                for _ in 0..<power { term = op("Mul", [term, factor], name: "size") }
            }
            sum = sum.map { op("Add", [$0, term], name: "size") } ?? term
        }
        let total = sum ?? int64s([0])
        return denominator == 1 ? total : op("Div", [total, int64s([denominator])], name: "size")
    }

    private func atom(_ a: SizeAtom) throws -> String {
        switch a {
        case .symbol(let s):
            guard let t = symbolTensors[s] else {
                throw ExportError(
                    "free size `\(s)` is carried by no input, so the ONNX graph cannot read it: bind it with --size \(s)=N"
                )
            }
            return t
        case .floorDivision(let n, let d):
            return op("Div", [try size(n), try size(d)], name: "size")
        }
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
    private func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
}

extension Onnx_AttributeProto {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = Int64(value)
        return a
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = value
        return a
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = values.map(Int64.init)
        return a
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(value.utf8)
        return a
    }
}
