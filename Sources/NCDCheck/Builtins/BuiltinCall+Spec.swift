import NCDCore
import NCDSyntax

/// Reading a built-in call's brackets: axis groups, the mapping and options.
extension BuiltinCall {
    /// Reads the spec, checking option names against `allowed`.
    func readSpec(allowed: [String], required: Bool = true) -> Spec? {
        guard let items = call.spec else {
            if required {
                error(
                    .specShape, "`\(call.callee.text)` needs axes in brackets, as in `\(example(call.callee.text))`",
                    at: call.callee.range)
                return nil
            }
            return Spec()
        }
        var spec = Spec()
        for item in items {
            switch item {
            case .group(let g): spec.groups.append(g)
            case .mapping(let l, let r, let range): spec.mappings.append((l, r, range))
            case .option(let name, let value):
                guard allowed.contains(name.text) else {
                    let fix = FixIt.didYouMean(name.text, at: name.range, among: allowed)
                    let list = allowed.isEmpty ? "none" : allowed.map { "`\($0)`" }.joined(separator: ", ")
                    error(
                        .unknownOption, "`\(call.callee.text)` has no option `\(name.text)` (its options: \(list))",
                        at: name.range, fixIts: fix)
                    return nil
                }
                if spec.options[name.text] != nil {
                    error(.repeatedOption, "option `\(name.text)` is given twice", at: name.range)
                    return nil
                }
                spec.options[name.text] = (name, value)
            }
        }
        return spec
    }

    /// A typical use, quoted in errors.
    func example(_ op: String) -> String {
        switch op {
        case "linear": return "linear[m -> d_ff](x)"
        case "einsum": return "einsum[y k, x k -> y x](q, k)"
        case "softmax", "log_softmax": return "\(op)[x](scores)"
        case "sum", "mean", "max": return "\(op)[x](a)"
        case "layernorm", "rmsnorm": return "\(op)[m](x)"
        case "batchnorm": return "batchnorm[c](x)"
        case "rearrange": return "rearrange[k h -> d](x)"
        case "concat": return "concat[c](a, b)"
        case "stack": return "stack[s](a, b)"
        case "window": return "window[h w -> kh kw, kernel=3](x)"
        case "conv", "conv_transpose": return "\(op)[c -> n, h w, kernel=3, padding=1](x)"
        case "maxpool", "avgpool": return "\(op)[h w, kernel=2](x)"
        case "cross_entropy": return "cross_entropy[class](logits, labels)"
        case "eye": return "eye[a b]()"
        case "embed": return "embed[vocab -> d](ids)"
        case "gather": return "gather[vocab](table, ids)"
        case "causal": return "causal[t t2](scores)"
        case "where": return "where(mask, scores, -1e9)"
        case "zeros", "ones": return "\(op)[a b]()"
        case "arange": return "arange[t]()"
        case "param": return "param[t d, init=normal, std=0.02]()"
        case "scale": return "scale[k^-0.5](x)"
        case "dropout": return "dropout[p=0.1](x)"
        default: return "\(op)(x)"
        }
    }

    /// Names written in a spec group, each a bare axis name, and each once unless
    /// `allowRepeats` (an einsum operand's diagonal).
    func names(_ elements: [SpecElement], allowSizes: Bool = false, allowRepeats: Bool = false) -> [Name]? {
        var result: [Name] = []
        for e in elements {
            guard case .name(let n) = e.value else {
                error(.specShape, "expected an axis name here", at: e.value.range)
                return nil
            }
            if e.size != nil, !allowSizes {
                error(.specShape, "the size of `\(n.text)` comes from the argument; drop `: …` here", at: e.range)
                return nil
            }
            if !allowRepeats, result.contains(where: { $0.text == n.text }) {
                error(.repeatedAxis, "axis `\(n.text)` is named twice", at: n.range)
                return nil
            }
            result.append(n)
        }
        return result
    }

    /// Axes of `type` named in `elements`, with an error naming the argument's axes for a
    /// name it does not have.
    func existingAxes(_ elements: [SpecElement], in type: ArrayType) -> [Axis]? {
        guard let names = names(elements) else { return nil }
        var axes: [Axis] = []
        for n in names {
            guard let axis = type.axis(named: n.text) else {
                error(
                    .missingAxis, "`\(call.callee.text)` acts on axis `\(n.text)`, but its argument has axes \(type)",
                    at: n.range,
                    fixIts: FixIt.didYouMean(n.text, at: n.range, among: type.names))
                return nil
            }
            axes.append(axis)
        }
        return axes
    }

    /// New axes written in a spec (output axes), resolved as declared axes with optional sizes,
    /// and checked not to collide with axes that remain.
    func newAxes(_ elements: [SpecElement], avoiding remaining: [Axis]) -> [Axis]? {
        guard let names = names(elements, allowSizes: true) else { return nil }
        var axes: [Axis] = []
        for (n, e) in zip(names, elements) {
            guard let axis = checker.resolveAxis(n, size: e.size) else { return nil }
            if remaining.contains(where: { $0.name == n.text }) {
                error(
                    .repeatedAxis,
                    "`\(call.callee.text)` would give the result axis `\(n.text)` twice; the argument keeps its own `\(n.text)`",
                    at: n.range)
                return nil
            }
            axes.append(axis)
        }
        return axes
    }

    /// A whole-number option, or its default.
    func intOption(_ spec: Spec, _ name: String, default value: Int, minimum: Int) -> Int? {
        guard let (_, expr) = spec.options[name] else { return value }
        return checker.evaluateInteger(expr, what: "`\(name)`", minimum: minimum)
    }

    /// A `true`/`false` option, or its default.
    func boolOption(_ spec: Spec, _ name: String, default value: Bool) -> Bool? {
        choiceOption(spec, name, among: ["true", "false"], default: value ? "true" : "false").map { $0 == "true" }
    }

    /// An option that is one of a few words (`init=normal`), or its default.
    func choiceOption(_ spec: Spec, _ name: String, among choices: [String], default value: String) -> String? {
        guard let (_, expr) = spec.options[name] else { return value }
        if case .name(let n) = expr, choices.contains(n.text) { return n.text }
        let fix = {
            if case .name(let n) = expr { return FixIt.didYouMean(n.text, at: n.range, among: choices) }
            return []
        }()
        let list = choices.map { "`\($0)`" }
        error(
            .optionValue, "`\(name)` is \(list.dropLast().joined(separator: ", ")) or \(list.last ?? "")",
            at: expr.range, fixIts: fix)
        return nil
    }

    /// A number option, e.g. a probability or epsilon.
    func numberOption(_ spec: Spec, _ name: String, default value: Double) -> Double? {
        guard let (_, expr) = spec.options[name] else { return value }
        guard let formula = checker.evaluateScalar(expr) else { return nil }
        guard let v = formula.evaluate([:]), v.isFinite else {
            error(.optionValue, "`\(name)` must be a known number", at: expr.range)
            return nil
        }
        return v
    }

    /// Exactly one group of axes in the spec, and no mapping.
    func singleGroup(_ spec: Spec) -> [SpecElement]? {
        guard spec.groups.count == 1, spec.mappings.isEmpty else {
            error(
                .specShape,
                "`\(call.callee.text)` takes one group of axes in brackets, as in `\(example(call.callee.text))`",
                at: call.callee.range)
            return nil
        }
        return spec.groups[0]
    }

    /// Exactly one `lhs -> rhs` mapping, and no groups.
    func singleMapping(_ spec: Spec) -> (lhs: [SpecElement], rhs: [SpecElement], range: SourceRange)? {
        guard spec.mappings.count == 1, spec.groups.isEmpty else {
            error(
                .specShape, "`\(call.callee.text)` takes one mapping in brackets, as in `\(example(call.callee.text))`",
                at: call.callee.range)
            return nil
        }
        return spec.mappings[0]
    }
}
