/// Elementwise functions of one argument: forward and backward side by side.
extension Variable {
    /// Builds a unary op from `f` and its derivative `df(x, y)` in terms of input and output.
    func unary(_ name: String, _ f: (T) -> T, _ df: @escaping (T, T) -> T) throws -> Variable {
        let y = try value.map(f)
        return Variable(y, operation: name, parents: [self]) { [x = value] g in
            let dx = try g.storage.withUnsafeBufferPointer { gs in
                try x.storage.withUnsafeBufferPointer { xs in
                    try y.storage.withUnsafeBufferPointer { ys in
                        try [T](uninitializedCount: gs.count) { d in
                            Parallel.forEachChunk(d.count) { range in
                                for i in range { d[i] = gs[i] * df(xs[i], ys[i]) }
                            }
                        }
                    }
                }
            }
            return [Tensor(unchecked: g.shape, dx)]
        }
    }

    /// ReLU, with its backward written out: the generic path calls a closure per element,
    /// which costs more than the ReLU itself (relu is in every MLP and convolution stack).
    public func relu() throws -> Variable {
        let y = try value.rectified()
        return Variable(y, operation: "relu", parents: [self]) { g in
            let dx = try g.storage.withUnsafeBufferPointer { G in
                try y.storage.withUnsafeBufferPointer { Y in
                    try [T](uninitializedCount: g.count) { D in
                        guard let d = D.baseAddress else { return }
                        Parallel.forEachChunk(D.count) { range in
                            Self.passWherePositive(G.baseAddress!, Y.baseAddress!, d, range)
                        }
                    }
                }
            }
            return [Tensor(unchecked: g.shape, dx)]
        }
    }

    /// d[i] = y[i] > 0 ? g[i] : 0 over `range`, eight floats at a time: written as a
    /// select on vectors, because the scalar loop compiles to a branch that mispredicts on
    /// random signs.
    @inline(__always)
    static func passWherePositive(
        _ g: UnsafePointer<T>, _ y: UnsafePointer<T>, _ d: UnsafeMutablePointer<T>, _ range: Range<Int>
    ) {
        var i = range.lowerBound
        if T.self == Float.self {
            let (gs, ys, ds) = (UnsafeRawPointer(g), UnsafeRawPointer(y), UnsafeMutableRawPointer(d))
            while i + 8 <= range.upperBound {
                let yv = ys.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                let gv = gs.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                ds.storeBytes(of: gv.replacing(with: 0, where: .!(yv .> 0)), toByteOffset: i * 4, as: SIMD8<Float>.self)
                i += 8
            }
        }
        while i < range.upperBound {
            d[i] = y[i] > 0 ? g[i] : 0
            i += 1
        }
    }

    /// The exact GELU, x·Φ(x), as PyTorch's default.
    public func gelu() throws -> Variable {
        let invSqrt2 = T(0.7071067811865476)
        let invSqrt2Pi = T(0.3989422804014327)
        return try unary("gelu", { x in x * (1 + T.erf(x * invSqrt2)) / 2 }) { x, _ in
            (1 + T.erf(x * invSqrt2)) / 2 + x * invSqrt2Pi * T.exp(-x * x / 2)
        }
    }

    /// GELU with the tanh approximation, as `gelu(approximate="tanh")` and GPT-2:
    /// x·(1 + tanh u)/2 with u = √(2/π)(x + 0.044715x³).
    public func geluTanh() throws -> Variable {
        let c = T(0.7978845608028654)
        let k = T(0.044715)
        return try unary("gelu_tanh", { x in x * (1 + T.tanh(c * (x + k * x * x * x))) / 2 }) { x, _ in
            let t = T.tanh(c * (x + k * x * x * x))
            return (1 + t) / 2 + x * (1 - t * t) * c * (1 + 3 * k * x * x) / 2
        }
    }

    /// SiLU (swish), x·σ(x).
    public func silu() throws -> Variable {
        try unary("silu", { x in x / (1 + T.exp(-x)) }) { x, _ in
            let s = 1 / (1 + T.exp(-x))
            return s * (1 + x * (1 - s))
        }
    }

    /// Softplus, log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so it never overflows.
    public func softplus() throws -> Variable {
        try unary("softplus", { x in Swift.max(x, 0) + T.log1p(T.exp(-Swift.abs(x))) }) { x, _ in 1 / (1 + T.exp(-x)) }
    }

    public func sin() throws -> Variable { try unary("sin", T.sin, { x, _ in T.cos(x) }) }
    public func cos() throws -> Variable { try unary("cos", T.cos, { x, _ in -T.sin(x) }) }
    /// The error function; its derivative is 2/√π · e^(−x²).
    public func erf() throws -> Variable { try unary("erf", T.erf, { x, _ in T(1.1283791670955126) * T.exp(-x * x) }) }
    public func tanh() throws -> Variable { try unary("tanh", T.tanh, { _, y in 1 - y * y }) }
    public func sigmoid() throws -> Variable { try unary("sigmoid", { 1 / (1 + T.exp(-$0)) }, { _, y in y * (1 - y) }) }
    public func exp() throws -> Variable { try unary("exp", T.exp, { _, y in y }) }
    public func log() throws -> Variable { try unary("log", T.log, { x, _ in 1 / x }) }
    public func sqrt() throws -> Variable { try unary("sqrt", T.sqrt, { _, y in 1 / (2 * y) }) }
    public func square() throws -> Variable { try unary("square", { $0 * $0 }, { x, _ in 2 * x }) }
    public func abs() throws -> Variable { try unary("abs", { Swift.abs($0) }, { x, _ in x > 0 ? 1 : x < 0 ? -1 : 0 }) }
    public static prefix func - (x: Variable) throws -> Variable { try x.unary("neg", { -$0 }, { _, _ in -1 }) }

    /// Addition of a constant: the gradient passes through unchanged.
    public func shifted(by c: T) throws -> Variable {
        Variable(try value.map { $0 + c }, operation: "offset", parents: [self]) { g in [g] }
    }

    /// Multiplication by a constant; its backward scales the gradient directly rather than
    /// through the generic path's per-element derivative closure.
    public func scaled(by c: T) throws -> Variable {
        Variable(try value.scaled(by: c), operation: "scale", parents: [self]) { g in [try g.scaled(by: c)] }
    }
}
