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
        // A first index far from 0 (allowed, if odd) is left unwritten rather than overflow.
        guard sizes.count > 1, sizes[0] > 0, sizes[1] > 0, sizes[0] != sizes[1], lower.magnitude < 1 << 40 else {
            return nil
        }
        growing = sizes[1] > sizes[0]
        let (small, large) = growing ? (sizes[0], sizes[1]) : (sizes[1], sizes[0])
        guard large % small == 0 else { return nil }
        factor = large / small
        start = sizes[0]
        self.lower = lower
        count = sizes.count
        // Each the one before times (or over) the factor; the next is computed only while
        // one follows, so the last size never overflows a product.
        for (a, b) in zip(sizes, sizes.dropFirst()) {
            if growing {
                let (next, overflow) = a.multipliedReportingOverflow(by: factor)
                guard !overflow, next == b else { return nil }
            } else {
                guard a % factor == 0, a / factor == b else { return nil }
            }
        }
    }

    /// `64·2^λ` or `2048/2^λ`: the size at every index, in the loop's variable; with the
    /// first index in the exponent (`128·2^(λ − 1)`) where the plain form would not be whole
    /// or not fit.
    func absolute(_ lambda: String) -> WrittenFormula {
        let power = WrittenFormula.binary(.power, .integer(factor), .name(lambda))
        let toLower = lower >= 0 ? Self.power(factor, lower) : nil
        if growing {
            if let toLower, start % toLower == 0 {
                let base = start / toLower
                return base == 1 ? power : .binary(.multiply, .integer(base), power)
            }
            return .binary(.multiply, .integer(start), .binary(.power, .integer(factor), Self.offset(lambda, -lower)))
        }
        if let toLower, case (let base, false) = start.multipliedReportingOverflow(by: toLower) {
            return .binary(.divide, .integer(base), power)
        }
        return .binary(.divide, .integer(start), .binary(.power, .integer(factor), Self.offset(lambda, -lower)))
    }

    /// `h/2^λ` or `h/2^(3 − λ)`: the size as the axis's size `home` over or times a power
    /// of the factor, where the first is within four factors of `home` and the power keeps
    /// its sign over the loop; else nil.
    func relative(to home: Int, _ name: String, _ lambda: String) -> WrittenFormula? {
        // start = home · factor^m.
        var m = 0
        var s = start
        while s < home, m > -5 {
            let (next, overflow) = s.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            (s, m) = (next, m - 1)
        }
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

    /// `base^exponent` for an exponent of at least 0, or nil where it does not fit an Int.
    static func power(_ base: Int, _ exponent: Int) -> Int? {
        var result = 1
        for _ in 0..<max(0, exponent) {
            let (next, overflow) = result.multipliedReportingOverflow(by: base)
            guard !overflow else { return nil }
            result = next
        }
        return result
    }
}
