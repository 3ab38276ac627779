import NCDCore
import NCDSyntax

/// Adding operations to the graph, naming their instances and creating their parameters.
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

    /// Decides the instance path of a learned operation from `as NAME`, `shares NAME` or a
    /// default (`linear1`, …), and reports a reused name or a missing or mismatched share.
    /// Returns the instance, the parameters it uses, and the shared instance when they are
    /// another's; nil after an error.
    func instance(for call: Call, stem: String, kind: OperationKind, parameters: (String) -> [Parameter])
        -> (label: InstanceLabel, parameters: [Parameter], shares: InstanceLabel?)?
    {
        switch call.instance {
        case .shares(let name):
            guard let path = sharedInstance(name), let earlier = instances[path] else { return nil }
            let mine = parameters(path)
            guard earlier.parameters.map(\.type) == mine.map(\.type), earlier.kind.mnemonic == kind.mnemonic else {
                let theirs = earlier.parameters.map { "\($0.type)" }.joined(separator: ", ")
                let ours = mine.map { "\($0.type)" }.joined(separator: ", ")
                error(.shareMismatch, "`shares \(name.text)` needs the same parameters: \(earlier.kind.mnemonic) \(theirs) there, \(kind.mnemonic) \(ours) here",
                      at: name.range, notes: [DiagnosticNote("`\(name.text)` is defined here", at: earlier.range)])
                return nil
            }
            return (earlier.label, earlier.parameters, earlier.label)
        case .named(let name):
            let path = qualified(name.text)
            if let earlier = instances[path] {
                error(.duplicateInstance, "instance `\(name.text)` is already defined; write `shares \(name.text)` to reuse its parameters",
                      at: name.range, notes: [DiagnosticNote("first defined here", at: earlier.range)],
                      fixIts: [FixIt("share its parameters", range: call.range, replacement: "shares \(name.text)")])
                return nil
            }
            let label = InstanceLabel(path: path, name: name.text, isChosen: true)
            let p = parameters(path)
            instances[path] = InstanceRecord(label: label, kind: kind, parameters: p, range: name.range)
            return (label, p, nil)
        case nil:
            let label = defaultInstance(stem)
            let p = parameters(label.path)
            instances[label.path] = InstanceRecord(label: label, kind: kind, parameters: p, range: call.callee.range)
            return (label, p, nil)
        }
    }

    /// A fresh default instance under the current scope: `linear1`, then `linear2`, …
    func defaultInstance(_ stem: String) -> InstanceLabel {
        while true {
            let name = nextDefaultName(stem)
            let path = qualified(name)
            if instances[path] == nil { return InstanceLabel(path: path, name: name, isChosen: false) }
        }
    }

    /// `name` under the current scope: `encoder.attn.q`.
    func qualified(_ name: String) -> String {
        currentPath.isEmpty ? name : "\(currentPath).\(name)"
    }

    /// The path of the instance `shares NAME` refers to, searching from the innermost scope
    /// outwards (so a loop body can share with a layer defined before the loop); reports
    /// the error and returns nil when there is none.
    func sharedInstance(_ name: Name) -> String? {
        var parts = currentPath.split(separator: ".").map(String.init)
        while true {
            let path = (parts + [name.text]).joined(separator: ".")
            if instances[path] != nil { return path }
            if parts.isEmpty { break }
            parts.removeLast()
        }
        error(.unknownInstance, "no instance `\(name.text)` to share parameters with; name one with `as \(name.text)` first", at: name.range)
        return nil
    }

    /// Rejects `as` and `shares` on operations that have nothing to name.
    func rejectInstanceName(_ call: Call) {
        guard let instance = call.instance else { return }
        let name: Name
        switch instance {
        case .named(let n), .shares(let n): name = n
        }
        error(.namelessOperation, "`\(call.callee.text)` has no parameters, so it takes no instance name", at: name.range)
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
