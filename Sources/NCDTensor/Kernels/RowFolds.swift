/// Folds along contiguous rows, with eight independent partial results combined at the end:
/// a single accumulator makes every addition wait for the previous one (and floating-point
/// addition may not be reordered for it), eight keep the adder busy and vectorise.
enum RowFolds {
    /// `f` folded over `term(0) … term(n − 1)` from `initial`, in eight interleaved lanes.
    @inline(__always)
    static func fold<T: TensorElement>(_ n: Int, initial: T, _ f: (T, T) -> T, _ term: (Int) -> T) -> T {
        var p0 = initial
        var p1 = initial
        var p2 = initial
        var p3 = initial
        var p4 = initial
        var p5 = initial
        var p6 = initial
        var p7 = initial
        var i = 0
        while i + 8 <= n {
            p0 = f(p0, term(i))
            p1 = f(p1, term(i + 1))
            p2 = f(p2, term(i + 2))
            p3 = f(p3, term(i + 3))
            p4 = f(p4, term(i + 4))
            p5 = f(p5, term(i + 5))
            p6 = f(p6, term(i + 6))
            p7 = f(p7, term(i + 7))
            i += 8
        }
        var result = f(f(f(p0, p1), f(p2, p3)), f(f(p4, p5), f(p6, p7)))
        while i < n {
            result = f(result, term(i))
            i += 1
        }
        return result
    }

    /// Σ term(i) for i in 0..<n.
    @inline(__always)
    static func sum<T: TensorElement>(_ n: Int, _ term: (Int) -> T) -> T { fold(n, initial: 0, +, term) }

    /// The sum of a contiguous run.
    @inline(__always)
    static func sum<T: TensorElement>(_ x: UnsafePointer<T>, _ n: Int) -> T { sum(n) { x[$0] } }

    /// The largest of term(i) for i in 0..<n (−∞ when n is 0).
    @inline(__always)
    static func max<T: TensorElement>(_ n: Int, _ term: (Int) -> T) -> T {
        fold(n, initial: -T.infinity, { Swift.max($0, $1) }, term)
    }
}
