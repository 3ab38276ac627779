import Foundation

/// What an operation costs, from its sizes (paper §4): floating-point operations (a
/// multiply–add counts 2), learned parameters, and the bytes of the values it produces.
public struct Cost: Hashable, Sendable {
    public var flops: SizeExpr
    public var parameters: SizeExpr
    public var outputBytes: SizeExpr

    public init(flops: SizeExpr = .zero, parameters: SizeExpr = .zero, outputBytes: SizeExpr = .zero) {
        self.flops = flops
        self.parameters = parameters
        self.outputBytes = outputBytes
    }

    public static func + (a: Cost, b: Cost) throws -> Cost {
        Cost(
            flops: try a.flops + b.flops, parameters: try a.parameters + b.parameters,
            outputBytes: try a.outputBytes + b.outputBytes)
    }
}

/// Bytes in one float32 element.
public let bytesPerElement = 4

/// A byte count as people read it: `512 B`, `1.5 GiB`.
public func formattedBytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
}

extension DiagramGraph {
    /// The cost of one operation. Float32 storage; a call costs its whole sub-diagram, with
    /// broadcast axes multiplying the work.
    public func cost(of op: Operation) throws -> Cost {
        let inputs = op.inputs.map { type(of: $0) }
        let outputs = op.outputs.map { type(of: $0) }
        let outElements = try outputs.reduce(SizeExpr.zero) { try $0 + (try $1.elementCount()) }
        let inElements = try inputs.reduce(SizeExpr.zero) { try $0 + (try $1.elementCount()) }
        let broadcast = try op.broadcast.reduce(SizeExpr.one) { try $0 * $1.size }
        // Learned parameters, as PyTorch's `parameters()` counts them: buffers are state.
        let parameters = try op.ownedParameters.filter(\.role.isTrainable).reduce(SizeExpr.zero) {
            try $0 + (try $1.type.elementCount())
        }
        let bytes = try outElements * SizeExpr(bytesPerElement)
        func times(_ k: Int, _ e: SizeExpr) throws -> SizeExpr { try SizeExpr(k) * e }

        let flops: SizeExpr
        switch op.kind {
        case .linear(let input, _, let bias):
            let fanIn = try input.reduce(SizeExpr.one) { try $0 * $1.size }
            flops = try times(2, try outElements * fanIn) + (bias ? outElements : .zero)
        case .einsum(let c):
            var distinct: [String: SizeExpr] = [:]
            for (names, type) in zip(c.operands, inputs) {
                for name in names { distinct[name] = type.axis(named: name)?.size }
            }
            let all = try distinct.values.reduce(SizeExpr.one) { try $0 * $1 }
            flops = c.operands.count > 1 ? try times(2 * (c.operands.count - 1), all) : c.summed.isEmpty ? .zero : all
        case .unary, .binary, .scale, .offset, .dropout:
            flops = outElements
        case .softmax:
            flops = try times(5, inElements)
        case .reduce:
            flops = inElements
        case .normalize:
            flops = try times(8, inElements)
        case .convolution(_, let input, let output, let g, _, let transposed):
            // Each output element of a convolution sums input channels × kernel volume; a
            // transposed one scatters each input element to output channels × volume.
            let volume = try SizeExpr(g.kernel).power(SizeExpr(spatialCount(op.kind)))
            let base = transposed ? inElements : outElements
            let partner = try (transposed ? output : input).reduce(SizeExpr.one) { try $0 * $1.size }
            flops = try times(2, try base * (try partner * volume))
        case .pool(_, _, let g):
            flops = try outElements * (try SizeExpr(g.kernel).power(SizeExpr(spatialCount(op.kind))))
        case .crossEntropy, .meanSquaredError:
            flops = try times(4, inElements)
        case .call(let child):
            // A call that shares another instance's parameters owns none of them.
            let inner = try child.totalCost()
            return Cost(
                flops: try inner.flops * broadcast,
                parameters: op.sharedFrom == nil ? inner.parameters : .zero, outputBytes: bytes)
        case .save, .load:
            // Memory moves nothing: a load is the saved value, read elsewhere.
            return Cost()
        case .rearrange, .concatenate, .stack, .index, .slice, .window, .identity, .abstract, .fill, .embedding,
            .gather, .diagonal,
            .causalMask, .freeTensor, .select:
            flops = .zero
        }
        return Cost(flops: flops, parameters: parameters, outputBytes: bytes)
    }

    /// The cost of the whole diagram: every operation, sub-diagrams included.
    public func totalCost() throws -> Cost {
        try operations.reduce(Cost()) { try $0 + (try cost(of: $1)) }
    }

    private func spatialCount(_ kind: OperationKind) -> Int {
        switch kind {
        case .convolution(let spatial, _, _, _, _, _), .pool(_, let spatial, _), .window(let spatial, _, _):
            return spatial.count
        default: return 0
        }
    }
}
