import NCDCore

/// Sizes that change by one factor per iteration, `start` at the loop's first index.
struct Geometric {
    var start: Int
    var factor: Int
    var growing: Bool
    var lower: Int
    /// How many iterations.
    var count: Int

    init?(_ sizes: [Int], lower: Int) {
        guard sizes.count > 1, sizes[0] > 0, sizes[1] > 0, sizes[0] != sizes[1] else { return nil }
        growing = sizes[1] > sizes[0]
        let (small, large) = growing ? (sizes[0], sizes[1]) : (sizes[1], sizes[0])
        guard large % small == 0 else { return nil }
        factor = large / small
        start = sizes[0]
        self.lower = lower
        count = sizes.count
        var expected = start
        for s in sizes {
            guard s == expected else { return nil }
            expected = growing ? expected * factor : expected / factor
        }
    }

    /// `64·2^λ` or `2048/2^λ`: the size at every index, in the loop's variable.
    func absolute(_ lambda: String) -> WrittenFormula {
        let power = WrittenFormula.binary(.power, .integer(factor), .name(lambda))
        if growing {
            let (base, rest) = start.quotientAndRemainder(dividingBy: Self.power(factor, lower))
            if rest == 0 { return base == 1 ? power : .binary(.multiply, .integer(base), power) }
            return .binary(
                .multiply, .integer(start), .binary(.power, .integer(factor), Self.offset(lambda, -lower)))
        }
        return .binary(.divide, .integer(start * Self.power(factor, lower)), power)
    }

    /// `h/2^λ` or `h/2^(3 − λ)`: the size as the axis's size `home` over or times a power
    /// of the factor, where the first is within four factors of `home` and the power keeps
    /// its sign over the loop; else nil.
    func relative(to home: Int, _ name: String, _ lambda: String) -> WrittenFormula? {
        // start = home · factor^m.
        var m = 0
        var s = start
        while s < home, m > -5 { (s, m) = (s * factor, m - 1) }
        while s > home, m < 5, s % factor == 0 { (s, m) = (s / factor, m + 1) }
        guard s == home else { return nil }
        // size(λ) = home · factor^e(λ), e(λ) = sign·λ + c.
        let sign = growing ? 1 : -1
        let c = m - sign * lower
        let ends = [m, m + sign * (count - 1)]
        let power: (WrittenFormula) -> WrittenFormula = { .binary(.power, .integer(self.factor), $0) }
        if ends.allSatisfy({ $0 <= 0 }) {
            // home / factor^(−e(λ)).
            let exponent = growing ? Self.offset(lambda, -c, negated: true) : Self.offset(lambda, -c)
            return .binary(.divide, .name(name), power(exponent))
        }
        if ends.allSatisfy({ $0 >= 0 }) {
            let exponent = growing ? Self.offset(lambda, c) : Self.offset(lambda, c, negated: true)
            return .binary(.multiply, .name(name), power(exponent))
        }
        return nil
    }

    /// `λ + c` (or `c − λ` when `negated`), as simply as it reads.
    static func offset(_ lambda: String, _ c: Int, negated: Bool = false) -> WrittenFormula {
        let l = WrittenFormula.name(lambda)
        if negated { return c == 0 ? .negate(l) : .binary(.subtract, .integer(c), l) }
        if c == 0 { return l }
        return .binary(c > 0 ? .add : .subtract, l, .integer(abs(c)))
    }

    static func power(_ base: Int, _ exponent: Int) -> Int {
        exponent <= 0 ? 1 : (1...exponent).reduce(1) { a, _ in a * base }
    }
}
