/// Something a size polynomial is built from: a free size, or a quotient that could not be
/// simplified (kept whole, so `⌊(h-1)/2⌋` compares equal to itself and nothing else).
public indirect enum SizeAtom: Hashable, Sendable, Comparable {
    case symbol(String)
    case floorDivision(SizeExpr, SizeExpr)

    public var description: String {
        switch self {
        case .symbol(let s): return s
        case .floorDivision(let a, let b): return "⌊\(a.parenthesized)/\(b.parenthesized)⌋"
        }
    }

    public static func < (a: SizeAtom, b: SizeAtom) -> Bool { a.description < b.description }
}

/// A product of atoms with positive powers; the empty monomial is the constant 1.
public struct Monomial: Hashable, Sendable, Comparable {
    /// Atoms with their powers, sorted by atom.
    public let factors: [SizeAtom: Int]

    public init(_ factors: [SizeAtom: Int] = [:]) {
        self.factors = factors.filter { $0.value != 0 }
    }

    public var degree: Int { factors.values.reduce(0, +) }

    /// The product; powers add (they stay small: `power` caps a free size's exponent at 64).
    public func times(_ other: Monomial) -> Monomial {
        Monomial(factors.merging(other.factors, uniquingKeysWith: { $0 &+ $1 }))
    }

    public var description: String {
        factors.sorted { $0.key < $1.key }
            .map { $0.value == 1 ? $0.key.description : "\($0.key.description)^\($0.value)" }
            .joined(separator: "*")
    }

    public static func < (a: Monomial, b: Monomial) -> Bool {
        a.degree != b.degree ? a.degree > b.degree : a.description < b.description
    }
}

/// A size: a polynomial with rational coefficients over free sizes, kept in normal form so
/// that two sizes are equal exactly when their expressions are (`h*d_k` = `d_k*h`).
public struct SizeExpr: Hashable, Sendable, CustomStringConvertible {
    /// Coefficient of each monomial; zero coefficients are never stored.
    public let terms: [Monomial: Rational]

    init(terms: [Monomial: Rational]) {
        self.terms = terms.filter { $0.value != .zero }
    }

    /// A constant size.
    public init(_ value: Int) {
        self.init(terms: [Monomial(): (try? Rational(value)) ?? .zero])
    }

    /// A free size named `name`.
    public static func symbol(_ name: String) -> SizeExpr {
        SizeExpr(terms: [Monomial([.symbol(name): 1]): .one])
    }

    public static let zero = SizeExpr(0)
    public static let one = SizeExpr(1)

    /// The value if the size involves no free sizes.
    public var constant: Rational? {
        if terms.isEmpty { return .zero }
        if terms.count == 1, let (m, c) = terms.first, m.factors.isEmpty { return c }
        return nil
    }

    /// The value as a whole number, if constant and whole.
    public var intValue: Int? {
        guard let c = constant, c.isInteger else { return nil }
        return c.numerator
    }

    /// Free sizes this size depends on, sorted.
    public var freeSymbols: [String] {
        var names = Set<String>()
        func visit(_ e: SizeExpr) {
            for m in e.terms.keys {
                for atom in m.factors.keys {
                    switch atom {
                    case .symbol(let s): names.insert(s)
                    case .floorDivision(let a, let b):
                        visit(a)
                        visit(b)
                    }
                }
            }
        }
        visit(self)
        return names.sorted()
    }

    public var description: String {
        if terms.isEmpty { return "0" }
        var out = ""
        for (m, c) in terms.sorted(by: { $0.key < $1.key }) {
            let negative = c.numerator < 0
            let magnitude = negative ? -c : c
            let body: String
            if m.factors.isEmpty {
                body = magnitude.description
            } else {
                let head = magnitude.numerator == 1 ? "" : "\(magnitude.numerator)*"
                let tail = magnitude.denominator == 1 ? "" : "/\(magnitude.denominator)"
                body = head + m.description + tail
            }
            out += out.isEmpty ? (negative ? "-" : "") + body : (negative ? " - " : " + ") + body
        }
        return out
    }

    /// The description, in parentheses unless it is a single term.
    public var parenthesized: String {
        terms.count <= 1 && !description.hasPrefix("-") ? description : "(\(description))"
    }
}
