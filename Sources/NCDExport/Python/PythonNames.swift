import Foundation

/// Names handed out once each: `x`, then `x_1`, `x_2`, … (Python identifiers, ONNX tensor
/// names).
struct UniqueNames {
    private var used: Set<String>

    init(reserving names: some Sequence<String> = [String]()) { used = Set(names) }

    /// A name near `base`, not taken before.
    mutating func fresh(_ base: String) -> String {
        var candidate = base
        var n = 0
        while used.contains(candidate) {
            n += 1
            candidate = "\(base)_\(n)"
        }
        used.insert(candidate)
        return candidate
    }

    /// Takes a name given elsewhere.
    mutating func reserve(_ name: String) { used.insert(name) }
}

/// Python identifiers for the generated code: source names made ASCII (Python normalises
/// non-ASCII identifiers with NFKC, which could merge two of ncd's names), each given out
/// once per scope.
struct PythonNamer {
    private var names: UniqueNames

    /// Words the generated code may not take: keywords, the imports, the helpers.
    static let reserved: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "self",
        "torch", "nn", "F", "math", "dev", "input", "sum", "max", "min", "len", "range", "type", "super",
        "window", "gather", "causal", "learned", "Learned", "Scope", "max_pool2d", "float_type", "dt",
    ]

    init(reserving names: some Sequence<String> = []) {
        self.names = UniqueNames(reserving: Self.reserved.union(names))
    }

    /// A fresh identifier near `hint`: `x`, then `x_1`, `x_2`, …
    mutating func fresh(_ hint: String) -> String { names.fresh(Self.ascii(hint)) }

    /// `x̄` → `x_bar`, `λ` → `lam`; anything else not ASCII dropped; never empty, never
    /// starting with a digit.
    static func ascii(_ name: String) -> String {
        var out = ""
        for scalar in name.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": out.unicodeScalars.append(scalar)
            case "\u{0304}", "\u{0305}": out += "_bar"
            case "\u{0302}": out += "_hat"
            case "\u{0303}": out += "_tilde"
            case "\u{2080}"..."\u{2089}": out += String(scalar.value - 0x2080)
            default:
                if let greek = greekNames[scalar] { out += greek }
            }
        }
        if out.isEmpty { return "v" }
        if out.first!.isNumber { return "v" + out }
        return out
    }

    private static let greekNames: [Unicode.Scalar: String] = [
        "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "eps", "θ": "theta", "λ": "lam", "μ": "mu",
        "σ": "sigma", "τ": "tau", "φ": "phi", "ω": "omega",
    ]

    /// Whether `name` may be written as an attribute (`self.name`) in Python source as it is.
    static func isPlainAttribute(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        let ascii = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        return ascii && !keywords.contains(name)
    }

    static let keywords: Set<String> = [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ]
}

/// Python literals.
enum PythonLiteral {
    /// A string literal (double-quoted, escaped).
    static func string(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// A float literal that reads back as the same double.
    static func number(_ x: Double) -> String {
        if x.isInfinite { return x > 0 ? "math.inf" : "-math.inf" }
        if x == x.rounded(), x.magnitude < 1e15 { return "\(Int(x)).0" }
        return "\(x)"
    }

    /// `(1, 2)`, `(3,)`.
    static func tuple(_ items: [String]) -> String {
        items.count == 1 ? "(\(items[0]),)" : "(" + items.joined(separator: ", ") + ")"
    }
}
