/// Elementwise functions of one argument: forward and backward side by side.
extension Variable {
    /// Builds a unary op from `f` and its derivative `df(x, y)` in terms of input and output.
    func unary(_ name: String, _ f: (T) -> T, _ df: @escaping (T, T) -> T) -> Variable {
        let y = value.map(f)
        return Variable(y, operation: name, parents: [self]) { [x = value] g in
            var dx = g
            dx.storage.withUnsafeMutableBufferPointer { d in
                x.storage.withUnsafeBufferPointer { xs in
                    y.storage.withUnsafeBufferPointer { ys in
                        Parallel.forEachChunk(d.count) { range in for i in range { d[i] *= df(xs[i], ys[i]) } }
                    }
                }
            }
            return [dx]
        }
    }

    /// ReLU, with its backward written out: the generic path calls a closure per element,
    /// which costs more than the ReLU itself (relu is in every MLP and convolution stack).
    public func relu() -> Variable {
        let y = value.rectified()
        return Variable(y, operation: "relu", parents: [self]) { g in
            var dx = [T](repeating: 0, count: g.count)
            g.storage.withUnsafeBufferPointer { G in
                y.storage.withUnsafeBufferPointer { Y in
                    dx.withUnsafeMutableBufferPointer { D in
                        Parallel.forEachChunk(D.count) { range in
                            Self.passWherePositive(G.baseAddress!, Y.baseAddress!, D.baseAddress!, range)
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
    public func gelu() -> Variable {
        let invSqrt2 = T(0.7071067811865476)
        let invSqrt2Pi = T(0.3989422804014327)
        return unary("gelu", { x in x * (1 + T.erf(x * invSqrt2)) / 2 }) { x, _ in
            (1 + T.erf(x * invSqrt2)) / 2 + x * invSqrt2Pi * T.exp(-x * x / 2)
        }
    }

    /// GELU with the tanh approximation, as `gelu(approximate="tanh")` and GPT-2:
    /// x·(1 + tanh u)/2 with u = √(2/π)(x + 0.044715x³).
    public func geluTanh() -> Variable {
        let c = T(0.7978845608028654)
        let k = T(0.044715)
        return unary("gelu_tanh", { x in x * (1 + T.tanh(c * (x + k * x * x * x))) / 2 }) { x, _ in
            let t = T.tanh(c * (x + k * x * x * x))
            return (1 + t) / 2 + x * (1 - t * t) * c * (1 + 3 * k * x * x) / 2
        }
    }

    /// SiLU (swish), x·σ(x).
    public func silu() -> Variable {
        unary("silu", { x in x / (1 + T.exp(-x)) }) { x, _ in
            let s = 1 / (1 + T.exp(-x))
            return s * (1 + x * (1 - s))
        }
    }

    /// Softplus, log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so it never overflows.
    public func softplus() -> Variable {
        unary("softplus", { x in Swift.max(x, 0) + T.log1p(T.exp(-Swift.abs(x))) }) { x, _ in 1 / (1 + T.exp(-x)) }
    }

    public func sin() -> Variable { unary("sin", T.sin, { x, _ in T.cos(x) }) }
    public func cos() -> Variable { unary("cos", T.cos, { x, _ in -T.sin(x) }) }
    /// The error function; its derivative is 2/√π · e^(−x²).
    public func erf() -> Variable { unary("erf", T.erf, { x, _ in T(1.1283791670955126) * T.exp(-x * x) }) }
    public func tanh() -> Variable { unary("tanh", T.tanh, { _, y in 1 - y * y }) }
    public func sigmoid() -> Variable { unary("sigmoid", { 1 / (1 + T.exp(-$0)) }, { _, y in y * (1 - y) }) }
    public func exp() -> Variable { unary("exp", T.exp, { _, y in y }) }
    public func log() -> Variable { unary("log", T.log, { x, _ in 1 / x }) }
    public func sqrt() -> Variable { unary("sqrt", T.sqrt, { _, y in 1 / (2 * y) }) }
    public func square() -> Variable { unary("square", { $0 * $0 }, { x, _ in 2 * x }) }
    public func abs() -> Variable { unary("abs", { Swift.abs($0) }, { x, _ in x > 0 ? 1 : x < 0 ? -1 : 0 }) }
    public static prefix func - (x: Variable) -> Variable { x.unary("neg", { -$0 }, { _, _ in -1 }) }

    /// Addition of a constant: the gradient passes through unchanged.
    public func shifted(by c: T) -> Variable {
        Variable(value.map { $0 + c }, operation: "offset", parents: [self]) { g in [g] }
    }

    /// Multiplication by a constant; its backward scales the gradient directly rather than
    /// through the generic path's per-element derivative closure.
    public func scaled(by c: T) -> Variable {
        Variable(value.scaled(by: c), operation: "scale", parents: [self]) { g in [g.scaled(by: c)] }
    }
}
