import NCDCore
import NCDSyntax

/// Adding operations to the graph.
extension Instantiator {
    /// Adds an operation producing values of the given types; returns their ids.
    @discardableResult
    func emit(
        _ kind: OperationKind, inputs: [ValueID], outputs: [ArrayType], broadcast: [Axis],
        parameters: [Parameter] = [], instance: InstanceLabel? = nil, shares: InstanceLabel? = nil,
        at range: SourceRange
    ) -> [ValueID] {
        session.budget.remaining -= 1
        if session.budget.remaining < 0, !session.budget.exceeded {
            session.budget.exceeded = true
            error(
                .operationBudget,
                "the diagrams expand to more than \(session.budget.limit) operations; ncd stops checking here",
                at: range)
        }
        return builder.addOperation(
            kind, inputs: inputs, outputs: outputs, broadcast: broadcast, parameters: parameters,
            instance: instance, sharedFrom: shares, location: Self.span(range))
    }

    // MARK: Elementwise

    func emitUnary(_ f: UnaryFunction, _ id: ValueID, at range: SourceRange) -> Evaluated {
        let type = builder.type(of: id)
        return .array(emit(.unary(f), inputs: [id], outputs: [type], broadcast: type.axes, at: range)[0])
    }

    /// `x + c`: the constant `c` added to every element.
    func emitOffset(_ id: ValueID, _ formula: ScalarFormula, written: WrittenFormula, at range: SourceRange)
        -> Evaluated
    {
        let type = builder.type(of: id)
        let value = formula.evaluate([:])
        if let v = value, !v.isFinite {
            error(.nonFiniteFactor, "the constant `\(written)` is not a finite number", at: range)
            return .failed
        }
        let term = ScalarFactor(value: value, formula: formula, written: written)
        return .array(emit(.offset(term), inputs: [id], outputs: [type], broadcast: type.axes, at: range)[0])
    }

    func emitScale(_ id: ValueID, _ formula: ScalarFormula, written: WrittenFormula, at range: SourceRange) -> Evaluated
    {
        let type = builder.type(of: id)
        let value = formula.evaluate([:])
        let factor = ScalarFactor(value: value.map { $0.isFinite ? $0 : .nan }, formula: formula, written: written)
        if let v = value, !v.isFinite {
            error(.nonFiniteFactor, "the factor `\(written)` is not a finite number", at: range)
            return .failed
        }
        return .array(emit(.scale(factor), inputs: [id], outputs: [type], broadcast: type.axes, at: range)[0])
    }
}
