/// An exact fraction with overflow-checked arithmetic, the coefficient type of sizes.
public struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Always positive; the sign lives in the numerator.
    public let numerator: Int
    public let denominator: Int

    /// Creates `n / d` in lowest terms.
    public init(_ n: Int, _ d: Int = 1) throws {
        guard d != 0 else { throw SizeError.divisionByZero }
        guard n != Int.min, d != Int.min else { throw SizeError.overflow }
        let g = Rational.gcd(abs(n), abs(d))
        let sign = d < 0 ? -1 : 1
        numerator = sign * n / max(g, 1)
        denominator = abs(d) / max(g, 1)
    }

    private init(reduced n: Int, _ d: Int) {
        numerator = n
        denominator = d
    }

    public static let zero = Rational(reduced: 0, 1)
    public static let one = Rational(reduced: 1, 1)

    /// Whether the fraction is a whole number.
    public var isInteger: Bool { denominator == 1 }

    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    public var description: String { isInteger ? "\(numerator)" : "\(numerator)/\(denominator)" }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    static func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Int {
        if r.overflow { throw SizeError.overflow }
        return r.partialValue
    }

    public static func + (a: Rational, b: Rational) throws -> Rational {
        let n1 = try checked(a.numerator.multipliedReportingOverflow(by: b.denominator))
        let n2 = try checked(b.numerator.multipliedReportingOverflow(by: a.denominator))
        let d = try checked(a.denominator.multipliedReportingOverflow(by: b.denominator))
        return try Rational(try checked(n1.addingReportingOverflow(n2)), d)
    }

    public static func * (a: Rational, b: Rational) throws -> Rational {
        let g1 = gcd(abs(a.numerator), b.denominator)
        let g2 = gcd(abs(b.numerator), a.denominator)
        let n = try checked((a.numerator / max(g1, 1)).multipliedReportingOverflow(by: b.numerator / max(g2, 1)))
        let d = try checked((a.denominator / max(g2, 1)).multipliedReportingOverflow(by: b.denominator / max(g1, 1)))
        return try Rational(n, d)
    }

    public static prefix func - (a: Rational) -> Rational { Rational(reduced: -a.numerator, a.denominator) }

    public func reciprocal() throws -> Rational { try Rational(denominator, numerator) }

    public static func < (a: Rational, b: Rational) -> Bool {
        // Compare through Double only when the exact products would overflow.
        let l = a.numerator.multipliedReportingOverflow(by: b.denominator)
        let r = b.numerator.multipliedReportingOverflow(by: a.denominator)
        if l.overflow || r.overflow { return a.doubleValue < b.doubleValue }
        return l.partialValue < r.partialValue
    }
}

/// Why a size computation failed.
public enum SizeError: Error, Hashable, Sendable {
    case overflow
    case divisionByZero
    /// A size that must be a whole number is not, e.g. `18 / 4`.
    case notDivisible(String, by: String)
    /// A size came out fractional once its free sizes were bound.
    case notWhole(String, value: String)
    /// An exponent that must be a non-negative whole number is not.
    case badExponent(String)
    /// A free size was needed as a number but is not bound.
    case unbound(String)

    /// The problem in words.
    public var message: String {
        switch self {
        case .overflow: return "size arithmetic overflows 64-bit integers"
        case .divisionByZero: return "division by zero in a size"
        case .notDivisible(let a, let b): return "\(a) is not divisible by \(b)"
        case .notWhole(let e, let v): return "size \(e) is \(v), not a whole number"
        case .badExponent(let e): return "exponent \(e) must be a non-negative whole number in a size"
        case .unbound(let s): return "size `\(s)` is free here; bind it with `--size \(s)=N`"
        }
    }
}
