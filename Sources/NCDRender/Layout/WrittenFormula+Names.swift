import NCDCore

/// Names in a written formula replaced, for labels in a caller's or a frame's terms.
extension WrittenFormula {
    /// The formula with each name in `bindings` replaced by its formula.
    func substituting(_ bindings: [String: WrittenFormula]) -> WrittenFormula {
        switch self {
        case .integer, .number: return self
        case .name(let n): return bindings[n] ?? self
        case .negate(let a): return .negate(a.substituting(bindings))
        case .binary(let op, let a, let b): return .binary(op, a.substituting(bindings), b.substituting(bindings))
        }
    }

    /// The formula with names replaced as `names` says.
    func renaming(_ names: [String: String]) -> WrittenFormula {
        names.isEmpty ? self : substituting(names.mapValues { .name($0) })
    }
}
