/// Exact arithmetic on sizes. Every operation checks for overflow.
extension SizeExpr {
    public static func + (a: SizeExpr, b: SizeExpr) throws -> SizeExpr {
        var terms = a.terms
        for (m, c) in b.terms { terms[m] = try (terms[m] ?? .zero) + c }
        return SizeExpr(terms: terms)
    }

    public static prefix func - (a: SizeExpr) -> SizeExpr {
        SizeExpr(terms: a.terms.mapValues { -$0 })
    }

    public static func - (a: SizeExpr, b: SizeExpr) throws -> SizeExpr { try a + (-b) }

    public static func * (a: SizeExpr, b: SizeExpr) throws -> SizeExpr {
        var terms: [Monomial: Rational] = [:]
        for (m1, c1) in a.terms {
            for (m2, c2) in b.terms {
                let m = m1.times(m2)
                terms[m] = try (terms[m] ?? .zero) + (try c1 * c2)
            }
        }
        return SizeExpr(terms: terms)
    }

    /// Exact division. Constants divide coefficient-wise (`h / 2` is `h/2`, with the
    /// divisibility of `h` checked once `h` is bound); a divisor that divides every term
    /// cancels (`h*d_k / h` is `d_k`); anything else stays a whole quotient.
    public static func / (a: SizeExpr, b: SizeExpr) throws -> SizeExpr {
        if let c = b.constant {
            guard c != .zero else { throw SizeError.divisionByZero }
            let inverse = try c.reciprocal()
            let result = try a * SizeExpr(terms: [Monomial(): inverse])
            if let ai = a.constant, let r = result.constant, !r.isInteger, ai.isInteger {
                throw SizeError.notDivisible(a.description, by: b.description)
            }
            return result
        }
        if b.terms.count == 1, let (bm, bc) = b.terms.first {
            var terms: [Monomial: Rational] = [:]
            var exact = true
            for (m, c) in a.terms {
                var factors = m.factors
                for (atom, power) in bm.factors {
                    let remaining = (factors[atom] ?? 0) - power
                    if remaining < 0 { exact = false }
                    factors[atom] = remaining
                }
                terms[Monomial(factors)] = try c * (try bc.reciprocal())
            }
            if exact { return SizeExpr(terms: terms) }
        }
        return try floorDivision(a, b)
    }

    /// `⌊a / b⌋`, as windowing computes output sizes: a number when both are known,
    /// otherwise kept whole.
    public static func floorDivision(_ a: SizeExpr, _ b: SizeExpr) throws -> SizeExpr {
        if let x = a.constant, let y = b.constant {
            guard y != .zero else { throw SizeError.divisionByZero }
            let q = try x * (try y.reciprocal())
            var floor = q.numerator / q.denominator
            if q.numerator < 0, q.numerator % q.denominator != 0 { floor -= 1 }
            return SizeExpr(floor)
        }
        if let y = b.constant, y == .one { return a }
        if let y = b.constant, y.isInteger, y.numerator > 1 {
            // Sizes and floor atoms are whole, so a term whose coefficient is a multiple of
            // the divisor leaves the floor exactly: ⌊(d·P + R)/d⌋ = P + ⌊R/d⌋.
            let d = y.numerator
            var whole: [Monomial: Rational] = [:]
            var rest: [Monomial: Rational] = [:]
            for (m, c) in a.terms {
                if c.isInteger, c.numerator % d == 0 { whole[m] = try Rational(c.numerator / d) } else { rest[m] = c }
            }
            if !whole.isEmpty {
                return try SizeExpr(terms: whole) + (try floorDivision(SizeExpr(terms: rest), b))
            }
        }
        return SizeExpr(terms: [Monomial([.floorDivision(a, b): 1]): .one])
    }

    /// `a ^ n` for a constant whole `n ≥ 0`, by repeated squaring. Constant bases of 0, 1
    /// and −1 are answered at once; a free size may be raised to at most the 64th power.
    public func power(_ exponent: SizeExpr) throws -> SizeExpr {
        guard let n = exponent.intValue, n >= 0 else { throw SizeError.badExponent(exponent.description) }
        if n == 0 { return .one }
        if let c = intValue, abs(c) <= 1 { return c == -1 && n % 2 == 0 ? .one : self }
        if constant == nil, n > 64 { throw SizeError.overflow }
        var result = SizeExpr.one
        var base = self
        var remaining = n
        while true {
            if remaining & 1 == 1 { result = try result * base }
            remaining >>= 1
            if remaining == 0 { return result }
            base = try base * base
        }
    }

    /// Replaces free sizes by sizes, then simplifies.
    public func substituting(_ bindings: [String: SizeExpr]) throws -> SizeExpr {
        var result = SizeExpr.zero
        for (m, c) in terms {
            var product = SizeExpr(terms: [Monomial(): c])
            for (atom, power) in m.factors {
                let base: SizeExpr
                switch atom {
                case .symbol(let s): base = bindings[s] ?? .symbol(s)
                case .floorDivision(let x, let y):
                    base = try SizeExpr.floorDivision(try x.substituting(bindings), try y.substituting(bindings))
                }
                product = try product * (try base.power(SizeExpr(power)))
            }
            result = try result + product
        }
        return result
    }

    /// The value with every free size bound, or an error naming the first unbound one.
    public func evaluate(_ bindings: [String: Int]) throws -> Int {
        let bound = try substituting(bindings.mapValues { SizeExpr($0) })
        guard let c = bound.constant else { throw SizeError.unbound(bound.freeSymbols.first ?? description) }
        guard c.isInteger else {
            throw SizeError.notWhole(description, value: c.description)
        }
        return c.numerator
    }
}
