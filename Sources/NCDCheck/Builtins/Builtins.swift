import NCDCore
import NCDSyntax

/// The built-in operations, by the name written in source.
public enum Builtins {
    typealias Rule = (BuiltinCall) -> Evaluated

    static let table: [String: Rule] = {
        var t: [String: Rule] = [:]
        for f in UnaryFunction.allCases where f != .neg { t[f.rawValue] = { $0.unaryFunction(f) } }
        t["scale"] = { $0.scale() }
        t["linear"] = { $0.linear() }
        t["einsum"] = { $0.einsum() }
        t["softmax"] = { $0.softmax(log: false) }
        t["log_softmax"] = { $0.softmax(log: true) }
        t["sum"] = { $0.reduce(.sum) }
        t["mean"] = { $0.reduce(.mean) }
        t["max"] = { $0.reduce(.max) }
        t["layernorm"] = { $0.normalize(.layer) }
        t["rmsnorm"] = { $0.normalize(.rms) }
        t["batchnorm"] = { $0.normalize(.batch) }
        t["rearrange"] = { $0.rearrange() }
        t["concat"] = { $0.concatenate() }
        t["stack"] = { $0.stack() }
        t["window"] = { $0.window() }
        t["conv"] = { $0.convolution(transposed: false) }
        t["conv_transpose"] = { $0.convolution(transposed: true) }
        t["maxpool"] = { $0.pool(.max) }
        t["avgpool"] = { $0.pool(.mean) }
        t["dropout"] = { $0.dropout() }
        t["cross_entropy"] = { $0.crossEntropy() }
        t["mse"] = { $0.meanSquaredError() }
        t["eye"] = { $0.identity() }
        t["embed"] = { $0.embedding() }
        t["gather"] = { $0.gather() }
        t["causal"] = { $0.causalMask() }
        t["where"] = { $0.select() }
        t["zeros"] = { $0.constant(.zeros) }
        t["ones"] = { $0.constant(.ones) }
        t["arange"] = { $0.arange() }
        t["param"] = { $0.freeTensor() }
        return t
    }()

    static var names: Set<String> { Set(table.keys) }
}

extension Builtins {
    /// The built-in operations' names, for completion and documentation.
    public static var publicNames: [String] { table.keys.sorted() }
}

/// A call's bracketed spec, sorted into axis groups, one mapping and options.
struct Spec {
    var groups: [[SpecElement]] = []
    var mappings: [(lhs: [SpecElement], rhs: [SpecElement], range: SourceRange)] = []
    var options: [String: (name: Name, value: Expr)] = [:]
}

/// One call of a built-in operation being typed. Each family's rules (one file each in this
/// folder) read the call's brackets and arguments and emit operations through the checker.
struct BuiltinCall {
    let checker: Instantiator
    let call: Call

    func type(of id: ValueID) -> ArrayType { checker.builder.type(of: id) }

    func error(
        _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = [],
        fixIts: [FixIt] = []
    ) {
        checker.error(id, message, at: range, notes: notes, fixIts: fixIts)
    }

    @discardableResult
    func emit(
        _ kind: OperationKind, inputs: [ValueID], outputs: [ArrayType], broadcast: [Axis],
        parameters: [Parameter] = [], instance: InstanceLabel? = nil, shares: InstanceLabel? = nil,
        at range: SourceRange
    ) -> [ValueID] {
        checker.emit(
            kind, inputs: inputs, outputs: outputs, broadcast: broadcast, parameters: parameters,
            instance: instance, shares: shares, at: range)
    }

    /// Exactly `count` array arguments, evaluated.
    func arguments(count: Int) -> [ValueID]? { checker.arguments(call, count: count) }
}
