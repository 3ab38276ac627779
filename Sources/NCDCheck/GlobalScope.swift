import NCDCore
import NCDSyntax

/// Top-level names: axes, constants and diagrams, resolved in any order with cycles reported.
final class GlobalScope {
    struct AxisEntry {
        var size: SizeExpr
        var declaration: SourceRange
        /// The declared expression of a derived axis (`h * d_k`), for pictures.
        var written: WrittenFormula?
    }

    let unit: SourceUnit
    private(set) var axes: [String: AxisEntry] = [:]
    private(set) var constants: [String: SizeExpr] = [:]
    private(set) var diagrams: [String: DiagramDeclaration] = [:]
    private(set) var axisOrder: [String] = []
    private(set) var diagramOrder: [DiagramDeclaration] = []
    let options: CheckOptions

    init(unit: SourceUnit, options: CheckOptions, diagnostics: inout DiagnosticBag) {
        self.unit = unit
        self.options = options
        collect(&diagnostics)
        resolveSizes(&diagnostics)
    }

    /// Every name an axis reference could have meant, for suggestions.
    var axisNames: [String] { axisOrder }

    private var declared: [String: SourceRange] = [:]

    private func declare(_ name: Name, _ what: String, _ diagnostics: inout DiagnosticBag) -> Bool {
        if let earlier = declared[name.text] {
            diagnostics.report(
                .error(
                    .duplicateDefinition,
                    "`\(name.text)` is already declared", at: name.range,
                    notes: [DiagnosticNote("first declared here", at: earlier)]))
            return false
        }
        if Builtins.names.contains(name.text), what == "diagram" {
            diagnostics.report(
                .error(
                    .reservedName, "`\(name.text)` is a built-in operation; choose another diagram name", at: name.range
                ))
            return false
        }
        declared[name.text] = name.range
        return true
    }

    private var pendingSizes: [(Name, Expr?, isConstant: Bool)] = []

    private func collect(_ diagnostics: inout DiagnosticBag) {
        for declaration in unit.declarations {
            switch declaration {
            case .axes(let definitions):
                for d in definitions where declare(d.name, "axis", &diagnostics) {
                    pendingSizes.append((d.name, d.size, false))
                    axisOrder.append(d.name.text)
                }
            case .constant(let name, let value):
                if declare(name, "constant", &diagnostics) { pendingSizes.append((name, value, true)) }
            case .diagram(let d):
                if declare(d.name, "diagram", &diagnostics) {
                    diagrams[d.name.text] = d
                    diagramOrder.append(d)
                }
            }
        }
    }

    /// Evaluates every axis and constant size, following references on demand so that
    /// declaration order does not matter; a cycle is an error.
    private func resolveSizes(_ outer: inout DiagnosticBag) {
        // A reference, because evaluating one size resolves the sizes it mentions first.
        final class Sink { var bag = DiagnosticBag() }
        let sink = Sink()
        defer { sink.bag.all.forEach { outer.report($0) } }
        var pending: [String: (Name, Expr?, Bool)] = [:]
        for p in pendingSizes { pending[p.0.text] = (p.0, p.1, p.2) }
        var inProgress: [String] = []
        var failed: Set<String> = []

        func resolve(_ name: String) -> SizeExpr? {
            if let a = axes[name] { return a.size }
            if let c = constants[name] { return c }
            guard let (declName, expr, isConstant) = pending[name], !failed.contains(name) else { return nil }
            if let cycleStart = inProgress.firstIndex(of: name) {
                let cycle = (inProgress[cycleStart...] + [name]).joined(separator: " → ")
                sink.bag.report(.error(.sizeCycle, "sizes defined in a cycle: \(cycle)", at: declName.range))
                failed.insert(name)
                return nil
            }
            inProgress.append(name)
            defer { inProgress.removeLast() }
            // Its own bag: evaluating it resolves (and reports into the sink) the sizes it names.
            var local = DiagnosticBag()
            let size = declaredSize(name, declName, expr, &local) { n in
                if let s = resolve(n) { return .size(s) }
                return pending[n] == nil ? nil : .failed
            } candidates: {
                Array(pending.keys)
            }
            local.all.forEach { sink.bag.report($0) }
            guard let size else {
                failed.insert(name)
                return nil
            }
            if isConstant {
                constants[name] = size
            } else {
                // A number or a free size says nothing a label needs; a formula does.
                let written = expr.flatMap(WrittenFormula.init).flatMap { f -> WrittenFormula? in
                    if case .binary = f { return f } else { return nil }
                }
                axes[name] = AxisEntry(size: size, declaration: declName.range, written: written)
            }
            return size
        }
        for p in pendingSizes { _ = resolve(p.0.text) }
        axisOrder = axisOrder.filter { axes[$0] != nil }
    }

    /// One declaration's size: a `--size` binding, its expression (whole and positive), or a
    /// free size when it has neither.
    private func declaredSize(
        _ name: String, _ declName: Name, _ expr: Expr?, _ bag: inout DiagnosticBag,
        lookup: @escaping (String) -> SizeLookup?, candidates: @escaping () -> [String]
    ) -> SizeExpr? {
        if let bound = options.sizes[name] {
            if bound <= 0 {
                bag.report(
                    .error(.sizeOutOfRange, "`--size \(name)=\(bound)`: sizes must be positive", at: declName.range))
            }
            return SizeExpr(bound)
        }
        guard let expr else { return .symbol(name) }
        var evaluator = SizeEvaluator(lookup: lookup, candidates: candidates)
        guard let size = evaluator.evaluate(expr, &bag) else { return nil }
        guard let c = size.constant else { return size }
        if !c.isInteger {
            bag.report(.error(.notWhole, "size of `\(name)` is \(c), not a whole number", at: expr.range))
            return nil
        }
        if c.numerator <= 0 {
            bag.report(
                .error(.sizeOutOfRange, "size of `\(name)` is \(c.numerator); sizes must be positive", at: expr.range))
            return nil
        }
        return size
    }
}
