import NCDCore

/// Size expressions and scalar constants as Python expressions. A free size is written as a
/// placeholder token, resolved once the forward knows which input's shape carries it
/// (``SizeNames``); a fixed size is a literal.
struct PythonSizes {
    /// Marks a size symbol in generated text until it is given its identifier.
    static func placeholder(_ symbol: String) -> String { "\u{1}\(symbol)\u{1}" }

    /// The free sizes the generated text has used, in order of first use.
    private(set) var used: [String] = []

    /// `b * t`, `(h - 3) // 2 + 1`, `768`.
    mutating func expression(_ e: SizeExpr) -> String {
        if let n = e.intValue { return "\(n)" }
        // Σ cᵢ·mᵢ with rational cᵢ: over the common denominator, floor-divided once (the sum
        // is a whole number, so the division is exact).
        let denominator = e.terms.values.reduce(1) { lcm($0, $1.denominator) }
        var parts: [(negative: Bool, text: String)] = []
        for (monomial, c) in e.terms.sorted(by: { $0.key > $1.key }) {
            let scaled = c.numerator * (denominator / c.denominator)
            let factors = monomial.factors.sorted { $0.key < $1.key }.flatMap { atom, power in
                Array(repeating: self.atom(atom), count: power)
            }
            let magnitude = abs(scaled)
            let body =
                factors.isEmpty
                ? "\(magnitude)" : (magnitude == 1 ? "" : "\(magnitude) * ") + factors.joined(separator: " * ")
            parts.append((scaled < 0, body))
        }
        var text = ""
        for (i, part) in parts.enumerated() {
            if i == 0 {
                text = (part.negative ? "-" : "") + part.text
            } else {
                text += (part.negative ? " - " : " + ") + part.text
            }
        }
        return denominator == 1 ? text : "(\(text)) // \(denominator)"
    }

    private mutating func atom(_ a: SizeAtom) -> String {
        switch a {
        case .symbol(let s):
            if !used.contains(s) { used.append(s) }
            return Self.placeholder(s)
        case .floorDivision(let n, let d): return "(\(expression(n))) // (\(expression(d)))"
        }
    }

    /// A constant of the source (`d_head^-0.5`, `1 - z`'s 1) as a Python float expression.
    mutating func scalar(_ f: ScalarFormula) -> String {
        switch f {
        case .constant(let c): return PythonLiteral.number(c)
        case .size(let s):
            let text = expression(s)
            return text.contains(" ") ? "(\(text))" : text
        case .add(let a, let b): return "(\(scalar(a)) + \(scalar(b)))"
        case .multiply(let a, let b): return "(\(scalar(a)) * \(scalar(b)))"
        case .divide(let a, let b): return "(\(scalar(a)) / \(scalar(b)))"
        case .floorDivide(let a, let b): return "(\(scalar(a)) // \(scalar(b)))"
        case .power(let a, let b): return "(\(scalar(a)) ** \(scalar(b)))"
        case .negate(let a): return "(-\(scalar(a)))"
        }
    }

    /// The product of several sizes: `b * t`.
    mutating func product(_ sizes: [SizeExpr]) -> String {
        let parts = sizes.map { expression($0) }.filter { $0 != "1" }
        if parts.isEmpty { return "1" }
        return parts.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: " * ")
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
    private func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
}
