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

    public func relu() -> Variable { unary("relu", { Swift.max($0, 0) }, { x, _ in x > 0 ? 1 : 0 }) }

    /// The exact GELU, x·Φ(x), as PyTorch's default.
    public func gelu() -> Variable {
        let invSqrt2 = T(0.7071067811865476), invSqrt2Pi = T(0.3989422804014327)
        return unary("gelu", { x in x * (1 + T.erf(x * invSqrt2)) / 2 }) { x, _ in
            (1 + T.erf(x * invSqrt2)) / 2 + x * invSqrt2Pi * T.exp(-x * x / 2)
        }
    }

    public func tanh() -> Variable { unary("tanh", T.tanh, { _, y in 1 - y * y }) }
    public func sigmoid() -> Variable { unary("sigmoid", { 1 / (1 + T.exp(-$0)) }, { _, y in y * (1 - y) }) }
    public func exp() -> Variable { unary("exp", T.exp, { _, y in y }) }
    public func log() -> Variable { unary("log", T.log, { x, _ in 1 / x }) }
    public func sqrt() -> Variable { unary("sqrt", T.sqrt, { _, y in 1 / (2 * y) }) }
    public func square() -> Variable { unary("square", { $0 * $0 }, { x, _ in 2 * x }) }
    public func abs() -> Variable { unary("abs", { Swift.abs($0) }, { x, _ in x > 0 ? 1 : x < 0 ? -1 : 0 }) }
    public static prefix func - (x: Variable) -> Variable { x.unary("neg", { -$0 }, { _, _ in -1 }) }

    /// Multiplication by a constant.
    public func scaled(by c: T) -> Variable { unary("scale", { $0 * c }, { _, _ in c }) }
}
