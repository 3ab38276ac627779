import Foundation

/// Elementwise functions of one argument, lifted over every axis.
public enum UnaryFunction: String, CaseIterable, Sendable {
    case relu, gelu, tanh, sigmoid, exp, log, sqrt, square, neg, abs
    /// GELU's tanh approximation (GPT-2's).
    case geluTanh = "gelu_tanh"
    case silu, softplus, sin, cos, erf
}

/// Elementwise functions of two arguments, broadcast by axis name.
public enum BinaryFunction: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
}

/// What a constant array holds.
public enum Fill: Hashable, Sendable {
    case zeros, ones
    /// 0, 1, …, n − 1 along the named axis (positions, for a position embedding).
    case arange(axis: String)
}

/// Reductions over named axes.
public enum Reduction: String, Sendable {
    case sum, mean, max
}

/// Normalisations with a learned affine transform.
public enum Normalization: String, Sendable {
    /// Statistics over the named axes, per position of the others.
    case layer = "layernorm"
    /// Root mean square over the named axes.
    case rms = "rmsnorm"
    /// Statistics over every axis except the named (feature) axes.
    case batch = "batchnorm"
}

/// Kernel geometry of a windowing operation ★, per spatial axis.
public struct WindowGeometry: Hashable, Sendable {
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    public var dilation: Int

    public init(kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// `⌊(n + 2p − d(k−1) − 1) / s⌋ + 1`, PyTorch's output size.
    public func outputSize(_ n: SizeExpr) throws -> SizeExpr {
        let span = try checked(
            try checked(dilation.multipliedReportingOverflow(by: kernel - 1)).addingReportingOverflow(1))
        let numerator = try n + (try SizeExpr(2) * SizeExpr(padding)) - SizeExpr(span)
        return try SizeExpr.floorDivision(numerator, SizeExpr(stride)) + .one
    }

    /// `(n − 1)s − 2p + d(k−1) + 1`, the transposed convolution's output size.
    public func transposedOutputSize(_ n: SizeExpr) throws -> SizeExpr {
        let span = try checked(
            try checked(dilation.multipliedReportingOverflow(by: kernel - 1)).addingReportingOverflow(1))
        return try (try n - .one) * SizeExpr(stride) - (try SizeExpr(2) * SizeExpr(padding)) + SizeExpr(span)
    }

    private func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Int {
        if r.overflow { throw SizeError.overflow }
        return r.partialValue
    }
}

/// A constant factor written in the source, e.g. `k^-0.5`: its value, what it is computed
/// from, and how it was written (for pictures and exports).
public struct ScalarFactor: Hashable, Sendable {
    /// The value when every size in it is known; nil while a free size remains.
    public var value: Double?
    /// The sizes it depends on, so the runtime can evaluate it once sizes are bound.
    public var formula: ScalarFormula
    /// The factor as the source wrote it, names kept: `k^-0.5`.
    public var written: WrittenFormula

    public init(value: Double?, formula: ScalarFormula, written: WrittenFormula) {
        self.value = value
        self.formula = formula
        self.written = written
    }
}

/// A float-valued expression over sizes.
public indirect enum ScalarFormula: Hashable, Sendable {
    case constant(Double)
    case size(SizeExpr)
    case add(ScalarFormula, ScalarFormula)
    case multiply(ScalarFormula, ScalarFormula)
    case divide(ScalarFormula, ScalarFormula)
    case floorDivide(ScalarFormula, ScalarFormula)
    case power(ScalarFormula, ScalarFormula)
    case negate(ScalarFormula)

    /// The value with free sizes bound, or nil if one is missing.
    public func evaluate(_ bindings: [String: Int]) -> Double? {
        switch self {
        case .constant(let c): return c
        case .size(let s): return (try? s.substituting(bindings.mapValues { SizeExpr($0) }))?.constant?.doubleValue
        case .add(let a, let b): return a.evaluate(bindings).flatMap { x in b.evaluate(bindings).map { x + $0 } }
        case .multiply(let a, let b): return a.evaluate(bindings).flatMap { x in b.evaluate(bindings).map { x * $0 } }
        case .divide(let a, let b): return a.evaluate(bindings).flatMap { x in b.evaluate(bindings).map { x / $0 } }
        case .floorDivide(let a, let b):
            return a.evaluate(bindings).flatMap { x in b.evaluate(bindings).map { Foundation.floor(x / $0) } }
        case .power(let a, let b):
            return a.evaluate(bindings).flatMap { x in b.evaluate(bindings).map { Foundation.pow(x, $0) } }
        case .negate(let a): return a.evaluate(bindings).map { -$0 }
        }
    }
}
