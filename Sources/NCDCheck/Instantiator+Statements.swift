import NCDCore
import NCDSyntax

/// Statements: assignment, scope.memory, loops and return.
extension Instantiator {
    func execute(_ statements: [Statement]) {
        for statement in statements {
            if session.budgetExceeded { return }
            if returned {
                error(.unreachable, "statement after `return` is never reached", at: statement.range)
                return
            }
            switch statement {
            case .assign(let targets, let value, _):
                assign(targets, value)
            case .save(let slot, let index, let value, _):
                save(slot, index, value)
            case .loop(let variable, let lower, let upper, let label, let body, let range):
                loop(variable, lower, upper, label, body, range)
            case .return(let values, let range):
                returnOutputs(values, range)
            case .region(let title, let note, let body, let range):
                region(title, note, body, range)
            }
        }
    }

    func bind(_ name: Name, to value: ValueID?) {
        if let old = scope.bindings[name.text], !old.used, old.value != nil, reportsUnused, !name.text.hasPrefix("_") {
            report(.warning(.replacedBeforeUse, "value `\(name.text)` is replaced before it is used", at: old.range))
        }
        if let value { builder.bind(value, to: name.text) }
        scope.bindings[name.text] = Binding(value: value, range: name.range)
    }

    func assign(_ targets: [Name], _ expr: Expr) {
        let result = evaluate(expr)
        switch result {
        case .array(let id) where targets.count == 1:
            bind(targets[0], to: id)
            return
        case .tuple(let ids) where ids.count == targets.count:
            for (t, id) in zip(targets, ids) { bind(t, to: id) }
            return
        case .tuple(let ids) where targets.count == 1:
            // A tuple bound whole (`state = Cell(x, state)`): unpacked later, returned or
            // passed on as the arguments it holds.
            bind(targets[0], to: ids.first)
            scope.bindings[targets[0].text]?.tuple = ids
            return
        case .failed:
            break
        case .scalar:
            error(
                .arrayExpected,
                "`\(targets[0].text)` would be a number, not an array; write numbers where they are used",
                at: expr.range)
        case .array, .tuple:
            error(
                .bindingCount,
                "\(result.count) value\(result.count == 1 ? "" : "s") cannot be bound to \(targets.count) name\(targets.count == 1 ? "" : "s")",
                at: targets[0].range.union(expr.range))
        }
        for t in targets { bind(t, to: nil) }
    }

    func save(_ slot: Name, _ indexExpr: Expr, _ expr: Expr) {
        let result = evaluate(expr)
        guard let index = evaluateInteger(indexExpr, what: "a scope.memory index", minimum: Int.min) else { return }
        guard case .array(let id) = result else {
            if case .failed = result { return }
            error(.arrayExpected, "only a single array can be saved", at: expr.range)
            return
        }
        if scope.memory[slot.text]?[index] != nil {
            error(.slotWritten, "`\(slot.text)[\(index)]` is already saved; each slot is written once", at: slot.range)
            return
        }
        scope.memory[slot.text, default: [:]][index] = id
        emit(
            .save(MemorySlot(name: slot.text, index: index, writtenIndex: written(indexExpr))), inputs: [id],
            outputs: [],
            broadcast: [], at: slot.range.union(expr.range))
    }

    func loop(
        _ variable: Name, _ lowerExpr: Expr, _ upperExpr: Expr, _ label: Name?, _ body: [Statement],
        _ range: SourceRange
    ) {
        guard let lower = evaluateInteger(lowerExpr, what: "a loop bound", minimum: Int.min),
            let upper = evaluateInteger(upperExpr, what: "a loop bound", minimum: Int.min)
        else { return }
        if scope.localSizes[variable.text] != nil || scope.bindings[variable.text] != nil {
            error(.shadowedName, "loop variable `\(variable.text)` hides another name", at: variable.range)
            return
        }
        let labelText = label?.text ?? naming.nextDefaultName("loop", builder.currentFrames)
        let span = upper.subtractingReportingOverflow(lower)
        if upper >= lower, span.overflow || span.partialValue >= 100_000 {
            let count = span.overflow ? "more than \(Int.max)" : "\(span.partialValue + 1)"
            error(
                .loopTooLong, "loop runs \(count) times; ncd unrolls loops, and at most 100000 iterations are allowed",
                at: range)
            return
        }
        let loop = builder.beginLoop(
            label: labelText, labelIsChosen: label != nil, variable: variable.text, lower: lower, upper: upper,
            writtenLower: written(lowerExpr), writtenUpper: written(upperExpr), location: Self.span(range))
        defer { builder.endLoop() }
        if makesOneUnnamedInstance(body) { soleInstanceLoops.insert(loop) }
        guard upper >= lower else { return }
        for i in lower...upper {
            if session.budgetExceeded || returned { break }
            scope.localSizes[variable.text] = SizeExpr(i)
            builder.beginIteration(i)
            execute(body)
            builder.endIteration()
        }
        scope.localSizes[variable.text] = nil
    }

    /// A region only marks the operations its statements make; names bound inside stay bound after it.
    func region(_ title: String?, _ note: String?, _ body: [Statement], _ range: SourceRange) {
        let before = builder.operationCount
        builder.beginRegion(title: title, note: note, location: Self.span(range))
        execute(body)
        builder.endRegion()
        if builder.operationCount == before, reportsUnused {
            let what = title.map { "region \"\($0)\"" } ?? "note"
            report(.warning(.emptyRegion, "\(what) draws nothing: no statement in it makes an operation", at: range))
        }
    }

    func returnOutputs(_ exprs: [Expr], _ range: SourceRange) {
        var items: [(id: ValueID?, range: SourceRange)] = []
        for e in exprs {
            switch evaluate(e) {
            case .array(let id): items.append((id, e.range))
            case .tuple(let t): items += t.map { ($0, e.range) }
            case .failed: items.append((nil, e.range))
            case .scalar:
                error(.arrayExpected, "a diagram returns arrays; this is a number", at: e.range)
                items.append((nil, e.range))
            }
        }
        returned = true
        if isScratch {
            for id in items.compactMap(\.id) { builder.addOutput(id) }
            return
        }
        let declared = declaration.outputs
        guard items.count == declared.count else {
            error(
                .outputCount,
                "`\(declaration.name.text)` declares \(declared.count) output\(declared.count == 1 ? "" : "s") but returns \(items.count)",
                at: range,
                notes: [DiagnosticNote("outputs declared here", at: declared.first?.range ?? declaration.name.range)])
            return
        }
        for ((item, syntax), expected) in zip(zip(items, declared), declaredOutputs) {
            guard let id = item.id, let expected else { continue }
            let actual = builder.type(of: id)
            if actual != expected {
                mismatch(actual, expected, at: item.range, what: "returned value", declaredAt: syntax.range)
            }
            builder.addOutput(id, declared: expected)
        }
    }

    /// Reports how a value's type differs from the one expected where it goes.
    func mismatch(
        _ actual: ArrayType, _ expected: ArrayType, at range: SourceRange, what: String, declaredAt: SourceRange
    ) {
        report(
            TypeMismatch(actual: actual, expected: expected, what: what).diagnostic(
                at: range, declaredAt: declaredAt,
                source: text(range)))
    }

    func text(_ range: SourceRange) -> String { globals.unit.file.text(in: range) }
}
