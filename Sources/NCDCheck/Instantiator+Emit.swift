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
            kind, inputs: inputs, outputs: elements(of: kind, inputs, outputs, at: range), broadcast: broadcast,
            parameters: parameters, instance: instance, sharedFrom: shares, location: Self.span(range))
    }

    /// The results' element kinds: integers from integer arguments moved, or positions;
    /// numbers otherwise. Reports an integer array where numbers are computed with, and a
    /// float array where ids or labels are read.
    private func elements(of kind: OperationKind, _ inputs: [ValueID], _ outputs: [ArrayType], at range: SourceRange)
        -> [ArrayType]
    {
        if case .call = kind { return outputs }
        if case .abstract = kind { return outputs }
        let types = inputs.map { builder.type(of: $0) }
        for (i, t) in types.enumerated() {
            if t.element == .integer, !kind.acceptsIntegers(at: i) {
                error(
                    .elementKind,
                    "`\(kind.mnemonic)` is a learned map of numbers, but its argument is \(t), an integer array (ids or labels); to look ids up in a learned table, use `embed[vocab -> d](ids)`",
                    at: range)
            } else if t.element == .float, kind.requiresIntegers(at: i) {
                let what = types.count == 1 ? "its argument" : "argument \(i + 1)"
                let reads = kindReads(kind)
                guard let input = declaredInput(inputs[i]) else {
                    error(
                        .elementKind,
                        "`\(kind.mnemonic)` reads integer \(reads), but \(what) is \(t), a float array; ids come from an input declared `int[…]` or from `arange`",
                        at: range)
                    continue
                }
                let name = input.name.text
                let at = SourceRange(start: input.type.range.start, end: input.type.range.start)
                error(
                    .elementKind,
                    "`\(kind.mnemonic)` reads integer \(reads), but \(what) `\(name)` is \(t), a float array; declare it `\(name): int[…]`",
                    at: range, notes: [DiagnosticNote("`\(name)` is declared here", at: input.type.range)],
                    fixIts: [FixIt("declare `\(name)` an integer array", range: at, replacement: "int")])
            }
        }
        // Moved integers stay integers (a gather's come from its table); arange's positions are.
        var moved = kind.movesElements ? types : []
        if case .gather = kind { moved = Array(types.prefix(1)) }
        var integers = !moved.isEmpty && moved.allSatisfy { $0.element == .integer }
        if case .fill(.arange) = kind { integers = true }
        if kind.movesElements, !integers, moved.contains(where: { $0.element == .integer }) {
            error(
                .elementKind,
                "`\(kind.mnemonic)` joins integer and float arrays; make them all one or the other", at: range)
        }
        // Results typed after an integer argument (`p * 0.5`) hold numbers all the same.
        return outputs.map { ArrayType($0.axes, element: integers ? .integer : .float) }
    }

    /// The input of this diagram that `id` is, if it is one, for a fix-it on its declaration.
    private func declaredInput(_ id: ValueID) -> InputParameter? {
        declaration.inputs.first { input in
            scope.bindings[input.name.text].map { $0.isInput && $0.value == id } == true
        }
    }

    private func kindReads(_ kind: OperationKind) -> String {
        if case .crossEntropy = kind { return "class labels" }
        return "ids"
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
