import NCDCore
import NCDSyntax

/// `+ - * /` and `^`: between numbers a formula, between an array and a number a scaling or
/// a shift, between arrays an elementwise operation with axes matched by name.
struct Arithmetic {
    let checker: Instantiator
    let op: BinaryOperator
    let opRange: SourceRange

    /// `a op b`: numbers combine into a formula, an array and a number scale, two arrays
    /// combine elementwise.
    func check(_ a: Expr, _ b: Expr, range: SourceRange) -> Evaluated {
        let left = checker.evaluate(a)
        let right = checker.evaluate(b)
        switch (left, right) {
        case (.failed, _), (_, .failed):
            return .failed
        case (.scalar(let x, let wx), .scalar(let y, let wy)):
            let formula: ScalarFormula =
                switch op {
                case .add: .add(x, y)
                case .subtract: .add(x, .negate(y))
                case .multiply: .multiply(x, y)
                case .divide: .divide(x, y)
                case .floorDivide: .floorDivide(x, y)
                case .power: .power(x, y)
                }
            return .scalar(formula, written: .binary(WrittenOperator(op), wx, wy))
        case (.array(let id), .scalar(let f, let w)) where op == .multiply || op == .divide:
            let factor = op == .multiply ? f : .divide(.constant(1), f)
            return checker.emitScale(
                id, factor, written: op == .multiply ? w : .binary(.divide, .integer(1), w), at: range)
        case (.scalar(let f, let w), .array(let id)) where op == .multiply:
            return checker.emitScale(id, f, written: w, at: range)
        case (.array(let id), .scalar(let f, let w)) where op == .add || op == .subtract:
            let term = op == .add ? f : .negate(f)
            return checker.emitOffset(id, term, written: op == .add ? w : .negate(w), at: range)
        case (.scalar(let f, let w), .array(let id)) where op == .add:
            return checker.emitOffset(id, f, written: w, at: range)
        case (.scalar(let f, let w), .array(let id)) where op == .subtract:
            // c − x: the negation, then the constant.
            guard case .array(let negated) = checker.emitUnary(.neg, id, at: b.range) else { return .failed }
            return checker.emitOffset(negated, f, written: w, at: range)
        case (.array(let x), .array(let y)):
            return elementwise(x, y, left: a.range, right: b.range)
        case (.tuple, _), (_, .tuple):
            checker.error(
                .arrayExpected, "`\(op.rawValue)` combines single arrays; bind the outputs with `a, b = …` first",
                at: opRange)
            return .failed
        default:
            checker.error(
                .arrayExpected,
                "`\(op.rawValue)` between a number and an array is not supported; an array is scaled with `*`, divided by a number with `/`, shifted with `+` and `-`",
                at: opRange)
            return .failed
        }
    }

    /// `a + b` and friends: axes match by name, sizes must agree, and the result has the
    /// left operand's axes followed by the right's others.
    func elementwise(_ a: ValueID, _ b: ValueID, left: SourceRange, right: SourceRange) -> Evaluated {
        let ta = checker.builder.type(of: a)
        let tb = checker.builder.type(of: b)
        for axis in ta.axes {
            if let other = tb.axis(named: axis.name), other.size != axis.size {
                checker.error(
                    .sizeMismatch,
                    "axis `\(axis.name)` has size \(axis.size) on the left of `\(op.rawValue)` but \(other.size) on the right",
                    at: opRange,
                    notes: [
                        DiagnosticNote("left operand has type \(ta)", at: left),
                        DiagnosticNote("right operand has type \(tb)", at: right),
                    ])
                return .failed
            }
        }
        let result = ArrayType(ta.axes + tb.axes.filter { !ta.contains($0.name) })
        let onlyLeft = ta.axes.filter { !tb.contains($0.name) }
        let onlyRight = tb.axes.filter { !ta.contains($0.name) }
        if !onlyLeft.isEmpty, !onlyRight.isEmpty {
            checker.report(
                .warning(
                    .broadcastGrows,
                    "`\(op.rawValue)` broadcasts \(ta) and \(tb) to \(result), larger than either operand",
                    at: opRange,
                    notes: [
                        DiagnosticNote(
                            "axes only on the left: \(onlyLeft.map(\.name).joined(separator: ", ")); only on the right: \(onlyRight.map(\.name).joined(separator: ", "))"
                        )
                    ]))
        }
        let function: BinaryFunction =
            switch op {
            case .add: .add
            case .subtract: .subtract
            case .multiply: .multiply
            default: .divide
            }
        return .array(
            checker.emit(
                .binary(function), inputs: [a, b], outputs: [result],
                broadcast: onlyLeft + onlyRight, at: opRange)[0])
    }
}
