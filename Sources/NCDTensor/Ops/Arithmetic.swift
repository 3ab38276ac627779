/// Binary arithmetic with broadcasting. The backward of a broadcast sums the gradient over
/// the stretched axes (`summed(to:)`), the adjoint of the stretch.
extension Variable {
    /// Inlined into each operator, so that `f` is inlined into the elementwise loop rather
    /// than called per element.
    @inline(__always)
    static func binary(
        _ name: String, _ a: Variable, _ b: Variable, _ f: (T, T) -> T,
        _ grads: @escaping (_ g: Tensor<T>, _ a: Tensor<T>, _ b: Tensor<T>) throws -> (Tensor<T>, Tensor<T>)
    )
        throws -> Variable
    {
        let y = try Tensor.zip(a.value, b.value, f)
        return Variable(y, operation: name, parents: [a, b]) { [av = a.value, bv = b.value] g in
            let (ga, gb) = try grads(g, av, bv)
            return [try ga.summed(to: av.shape), try gb.summed(to: bv.shape)]
        }
    }

    public static func + (a: Variable, b: Variable) throws -> Variable {
        try binary("add", a, b, +) { g, _, _ in (g, g) }
    }

    public static func - (a: Variable, b: Variable) throws -> Variable {
        try binary("sub", a, b, -) { g, _, _ in (g, try g.scaled(by: -1)) }
    }

    public static func * (a: Variable, b: Variable) throws -> Variable {
        try binary("mul", a, b, *) { g, a, b in (try Tensor.zip(g, b, *), try Tensor.zip(g, a, *)) }
    }

    public static func / (a: Variable, b: Variable) throws -> Variable {
        try binary("div", a, b, /) { g, a, b in
            (try Tensor.zip(g, b, /), try Tensor.zip(try Tensor.zip(g, a, *), b) { ga, b in -ga / (b * b) })
        }
    }
}
