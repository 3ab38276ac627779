/// A number or size as the source wrote it, names kept (`64 * 2^λ`, `N - 1`, `k^-0.5`), so
/// that a picture or an exported file can show it symbolically. It is never evaluated: the
/// checker evaluates the same expression to a ``SizeExpr`` or a ``ScalarFormula``.
public indirect enum WrittenFormula: Hashable, Sendable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    /// An axis, constant, size parameter or loop index, by name.
    case name(String)
    case negate(WrittenFormula)
    case binary(WrittenOperator, WrittenFormula, WrittenFormula)

    /// `64 * 2^λ`, with parentheses only where precedence needs them.
    public var description: String { render(outer: 0) }

    /// The names the formula refers to, in order of appearance.
    public var names: [String] {
        switch self {
        case .integer, .number: return []
        case .name(let n): return [n]
        case .negate(let a): return a.names
        case .binary(_, let a, let b): return a.names + b.names.filter { !a.names.contains($0) }
        }
    }

    private func render(outer: Int) -> String {
        switch self {
        case .integer(let n): return String(n)
        case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
        case .name(let n): return n
        case .negate(let a):
            let text = "-" + a.render(outer: 3)
            return outer > 4 ? "(\(text))" : text
        case .binary(let op, let a, let b):
            let p = op.precedence
            // `^` groups to the right, the others to the left.
            let left = a.render(outer: op == .power ? p + 1 : p)
            let right = b.render(outer: op == .power ? p : p + 1)
            let text = op == .power ? "\(left)^\(right)" : "\(left) \(op.rawValue) \(right)"
            return p < outer ? "(\(text))" : text
        }
    }
}

/// The operators of a ``WrittenFormula``.
public enum WrittenOperator: String, Hashable, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case floorDivide = "//"
    case power = "^"

    var precedence: Int {
        switch self {
        case .add, .subtract: return 1
        case .multiply, .divide, .floorDivide: return 2
        case .power: return 4
        }
    }
}
