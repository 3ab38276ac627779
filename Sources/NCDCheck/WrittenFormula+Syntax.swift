import NCDCore
import NCDSyntax

extension WrittenFormula {
    /// The formula an expression writes, names kept; nil for an expression that is no
    /// formula of numbers and names (a call, an index, a load).
    init?(_ expr: Expr) {
        switch expr {
        case .integer(let n, _): self = .integer(n)
        case .float(let x, _): self = .number(x)
        case .name(let n): self = .name(n.text)
        case .parenthesized(let inner, _):
            guard let f = WrittenFormula(inner) else { return nil }
            self = f
        case .unary(_, let operand):
            guard let f = WrittenFormula(operand) else { return nil }
            self = .negate(f)
        case .binary(let op, let a, let b, _):
            guard let x = WrittenFormula(a), let y = WrittenFormula(b) else { return nil }
            self = .binary(WrittenOperator(op), x, y)
        case .call, .index, .load, .error:
            return nil
        }
    }
}

extension WrittenOperator {
    init(_ op: BinaryOperator) {
        switch op {
        case .add: self = .add
        case .subtract: self = .subtract
        case .multiply: self = .multiply
        case .divide: self = .divide
        case .floorDivide: self = .floorDivide
        case .power: self = .power
        }
    }
}
