import NCDCore
import NCDSyntax

/// The abstract value of an expression.
enum Evaluated {
    case array(ValueID)
    /// Several outputs of one call, to be bound with `a, b = …`.
    case tuple([ValueID])
    /// A number: a constant or a formula over sizes, with its source text.
    case scalar(ScalarFormula, written: WrittenFormula)
    /// Checking failed; the error is already reported.
    case failed

    var count: Int {
        switch self {
        case .array, .scalar: return 1
        case .tuple(let t): return t.count
        case .failed: return 0
        }
    }
}

/// Expressions: names, arithmetic, indexing and scope.memory.
extension Instantiator {
    func evaluate(_ expr: Expr) -> Evaluated {
        switch expr {
        case .name(let name):
            if var b = scope.bindings[name.text] {
                b.used = true
                scope.bindings[name.text] = b
                if let tuple = b.tuple { return .tuple(tuple) }
                return b.value.map(Evaluated.array) ?? .failed
            }
            if case .size(let s) = scope.sizeLookup(name.text) { return .scalar(.size(s), written: .name(name.text)) }
            report(unknownName(name, kind: "name", candidates: Array(scope.bindings.keys) + scope.sizeNames()))
            return .failed
        case .integer(let n, _):
            return .scalar(.constant(Double(n)), written: .integer(n))
        case .float(let x, _):
            return .scalar(.constant(x), written: .number(x))
        case .parenthesized(let inner, _):
            return evaluate(inner)
        case .unary(_, let operand):
            switch evaluate(operand) {
            case .array(let id): return emitUnary(.neg, id, at: expr.range)
            case .scalar(let f, let w): return .scalar(.negate(f), written: .negate(w))
            case .tuple:
                error(.arrayExpected, "`-` applies to one array, not several", at: expr.range)
                return .failed
            case .failed: return .failed
            }
        case .binary(.power, let a, let b, _):
            guard let base = evaluateScalar(a), let exponent = evaluateScalar(b) else { return .failed }
            return .scalar(.power(base, exponent), written: written(expr))
        case .binary(let op, let a, let b, let opRange):
            return Arithmetic(checker: self, op: op, opRange: opRange).check(a, b, range: expr.range)
        case .call(let call):
            return evaluateCall(call)
        case .index(let base, let items, _):
            guard case .array(let id) = evaluate(base) else { return .failed }
            return IndexExpression(checker: self, items: items).check(id)
        case .load(let slot, let indexExpr, let range):
            guard let i = evaluateInteger(indexExpr, what: "a scope.memory index", minimum: Int.min) else {
                return .failed
            }
            if let id = scope.memory[slot.text]?[i] {
                let memorySlot = MemorySlot(name: slot.text, index: i, writtenIndex: written(indexExpr))
                return .array(
                    emit(
                        .load(memorySlot), inputs: [id], outputs: [builder.type(of: id)], broadcast: [],
                        at: range)[0])
            }
            let saved = (scope.memory[slot.text] ?? [:]).keys.sorted().map { "\(slot.text)[\($0)]" }
            error(
                .emptySlot, "nothing is saved in `\(slot.text)[\(i)]`", at: range,
                notes: [
                    DiagnosticNote(
                        saved.isEmpty
                            ? "nothing has been saved in `\(slot.text)` yet"
                            : "saved so far: \(saved.joined(separator: ", "))")
                ])
            return .failed
        case .error:
            return .failed
        }
    }

    /// Evaluates an expression that must be a single array.
    func evaluateArray(_ expr: Expr) -> ValueID? {
        switch evaluate(expr) {
        case .array(let id): return id
        case .failed: return nil
        case .tuple(let t):
            error(
                .arrayExpected, "expected one array, but this gives \(t.count); bind them with `a, b = …` first",
                at: expr.range)
        case .scalar:
            error(.arrayExpected, "expected an array, but this is a number", at: expr.range)
        }
        return nil
    }

    /// The formula an expression writes, for pictures; an expression that is no formula
    /// (it cannot stand where a size does) is kept as its source text.
    func written(_ expr: Expr) -> WrittenFormula {
        WrittenFormula(expr) ?? .name(text(expr.range))
    }

    // MARK: Scope

    /// A number built from sizes and numbers (`k^-0.5`); its errors go through ``report(_:)``.
    func evaluateScalar(_ expr: Expr) -> ScalarFormula? {
        reporting { ScalarEvaluator(lookup: scope.sizeLookup, candidates: scope.sizeNames).evaluate(expr, &$0) }
    }

    func evaluateSize(_ expr: Expr) -> SizeExpr? {
        var evaluator = SizeEvaluator(lookup: scope.sizeLookup, candidates: scope.sizeNames)
        return reporting { evaluator.evaluate(expr, &$0) }
    }

    func evaluateInteger(_ expr: Expr, what: String, minimum: Int) -> Int? {
        var evaluator = SizeEvaluator(lookup: scope.sizeLookup, candidates: scope.sizeNames)
        return reporting { evaluator.evaluateInteger(expr, what: what, minimum: minimum, &$0) }
    }

    /// The axis a name refers to in a type or as a new output axis: a generic axis of this
    /// diagram or a declared axis, at its size here unless `size` is given.
    func resolveAxis(_ name: Name, size: Expr?) -> Axis? {
        guard var axis = scope.axis(named: name.text) else {
            report(unknownName(name, kind: "axis", candidates: scope.axisNames))
            return nil
        }
        if let size {
            guard let s = evaluateSize(size) else { return nil }
            if let c = s.constant, c.numerator <= 0 {
                error(
                    .sizeOutOfRange, "axis `\(name.text)` would have size \(c); sizes must be positive", at: size.range)
                return nil
            }
            axis.size = s
            axis.writtenSize = written(size)
        }
        return axis
    }

    func resolveType(_ syntax: ArrayTypeSyntax) -> ArrayType? {
        var axes: [Axis] = []
        var ok = true
        for ref in syntax.axes {
            if axes.contains(where: { $0.name == ref.name.text }) {
                error(
                    .repeatedAxis, "axis `\(ref.name.text)` appears twice in one array; an array's axes are distinct",
                    at: ref.name.range)
                ok = false
            } else if let axis = resolveAxis(ref.name, size: ref.size) {
                axes.append(axis)
            } else {
                ok = false
            }
        }
        return ok ? ArrayType(axes, element: syntax.isInteger ? .integer : .float) : nil
    }
}
