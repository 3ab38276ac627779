import NCDCore
import NCDSyntax

/// Adding operations to the graph.
extension Instantiator {
    /// Adds an operation producing values of the given types; returns their ids.
    @discardableResult
    func emit(
        _ kind: OperationKind, inputs: [ValueID], outputs: [ArrayType], broadcast: [Axis],
        parameters: [Parameter] = [], instance: InstanceLabel? = nil, shares: InstanceLabel? = nil, at range: SourceRange
    ) -> [ValueID] {
        session.budget.remaining -= 1
        if session.budget.remaining < 0, !session.budget.exceeded {
            session.budget.exceeded = true
            error(.operationBudget, "the diagrams expand to more than \(session.budget.limit) operations; ncd stops checking here", at: range)
        }
        return builder.addOperation(kind, inputs: inputs, outputs: outputs, broadcast: broadcast, parameters: parameters,
                                    instance: instance, sharedFrom: shares, location: Self.span(range))
    }

    // MARK: Elementwise

    func emitUnary(_ f: UnaryFunction, _ id: ValueID, at range: SourceRange) -> Evaluated {
        let type = builder.type(of: id)
        return .array(emit(.unary(f), inputs: [id], outputs: [type], broadcast: type.axes, at: range)[0])
    }

    func emitScale(_ id: ValueID, _ formula: ScalarFormula, written: WrittenFormula, at range: SourceRange) -> Evaluated {
        let type = builder.type(of: id)
        let value = formula.evaluate([:])
        let factor = ScalarFactor(value: value.map { $0.isFinite ? $0 : .nan }, formula: formula, written: written)
        if let v = value, !v.isFinite {
            error(.nonFiniteFactor, "the factor `\(written)` is not a finite number", at: range)
            return .failed
        }
        return .array(emit(.scale(factor), inputs: [id], outputs: [type], broadcast: type.axes, at: range)[0])
    }

    /// `a + b` and friends: axes match by name, sizes must agree, and the result has the
    /// left operand's axes followed by the right's others.
    func emitBinary(_ op: BinaryOperator, _ a: ValueID, _ b: ValueID, opRange: SourceRange,
                    left: SourceRange, right: SourceRange) -> Evaluated {
        let ta = builder.type(of: a), tb = builder.type(of: b)
        for axis in ta.axes {
            if let other = tb.axis(named: axis.name), other.size != axis.size {
                error(.sizeMismatch, "axis `\(axis.name)` has size \(axis.size) on the left of `\(op.rawValue)` but \(other.size) on the right",
                      at: opRange,
                      notes: [DiagnosticNote("left operand has type \(ta)", at: left),
                              DiagnosticNote("right operand has type \(tb)", at: right)])
                return .failed
            }
        }
        let result = ArrayType(ta.axes + tb.axes.filter { !ta.contains($0.name) })
        let onlyLeft = ta.axes.filter { !tb.contains($0.name) }, onlyRight = tb.axes.filter { !ta.contains($0.name) }
        if !onlyLeft.isEmpty, !onlyRight.isEmpty {
            report(.warning(.broadcastGrows, 
                "`\(op.rawValue)` broadcasts \(ta) and \(tb) to \(result), larger than either operand",
                at: opRange,
                notes: [DiagnosticNote("axes only on the left: \(onlyLeft.map(\.name).joined(separator: ", ")); only on the right: \(onlyRight.map(\.name).joined(separator: ", "))")]))
        }
        let function: BinaryFunction = switch op {
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        default: .divide
        }
        return .array(emit(.binary(function), inputs: [a, b], outputs: [result],
                           broadcast: onlyLeft + onlyRight, at: opRange)[0])
    }
}
