import NCDCore
import NCDSyntax

/// Checks one diagram at one instantiation (its generic axes and size parameters bound),
/// evaluating its body abstractly: every value is a type, loops unroll, calls instantiate
/// their callee. The result is the diagram's typed graph.
final class Instantiator {
    let session: Session
    let declaration: DiagramDeclaration
    /// The graph under construction.
    let builder: DiagramGraph.Builder
    /// What names mean here.
    var scope: Scope
    /// This instantiation's instance names, under its own path (`encoder.attn`).
    var naming: InstanceNaming
    /// The loops under way whose iterations are one instance each (``makesOneUnnamedInstance(_:)``).
    var soleInstanceLoops: Set<LoopID> = []
    /// Whether a default instance made now is the current iteration itself.
    var inSoleInstanceLoop: Bool { builder.currentFrames.last.map { soleInstanceLoops.contains($0.loop) } ?? false }
    /// Notes added to every diagnostic, saying which instantiation is being checked.
    let context: [DiagnosticNote]
    /// Whether to warn about unused values (once, in the diagram's own check).
    let reportsUnused: Bool
    var returned = false
    /// The declared output types in this instantiation, resolved before the body runs.
    var declaredOutputs: [ArrayType?] = []
    /// Set for the REPL's workspace: `return` records whatever it is given.
    var isScratch = false

    init(
        session: Session, declaration: DiagramDeclaration, prefix: [String], context: [DiagnosticNote],
        reportsUnused: Bool
    ) {
        self.session = session
        self.declaration = declaration
        self.builder = DiagramGraph.Builder(name: declaration.name.text)
        self.naming = InstanceNaming(prefix: prefix)
        self.scope = Scope(globals: session.globals)
        self.context = context
        self.reportsUnused = reportsUnused
    }

    var globals: GlobalScope { session.globals }

    /// The one way a diagnostic leaves an instantiation: with the notes that say which
    /// call it is checked under ("in `Block` with s = 2, called here").
    func report(_ d: Diagnostic) {
        var d = d
        d.notes += context
        session.diagnostics.report(d)
    }

    /// Runs a helper that reports into a bag of its own (the size and scalar evaluators),
    /// then reports what it found through ``report(_:)``.
    func reporting<T>(_ body: (inout DiagnosticBag) -> T) -> T {
        var bag = DiagnosticBag()
        let result = body(&bag)
        bag.all.forEach(report)
        return result
    }

    func error(
        _ id: DiagnosticID, _ message: String, at range: SourceRange, notes: [DiagnosticNote] = [],
        fixIts: [FixIt] = []
    ) {
        report(.error(id, message, at: range, notes: notes, fixIts: fixIts))
    }

    static func span(_ r: SourceRange) -> SourceSpan { SourceSpan(start: r.start, end: r.end) }

    /// Checks a diagram on its own: generic axes free, size parameters at their defaults.
    /// Returns the graph, or nil; `called` collects the diagrams instantiated by calls.
    static func instantiateForCheck(
        _ declaration: DiagramDeclaration, globals: GlobalScope, diagnostics: inout DiagnosticBag,
        called: inout Set<String>, budget: OperationBudget
    ) -> DiagramGraph? {
        let session = Session(globals: globals, budget: budget)
        session.diagnostics = diagnostics
        defer {
            diagnostics = session.diagnostics
            called.formUnion(session.called)
        }
        let isScratch = globals.options.scratchDiagram == declaration.name.text
        let me = Instantiator(
            session: session, declaration: declaration, prefix: [], context: [], reportsUnused: !isScratch)
        me.isScratch = isScratch
        for g in declaration.generics { me.scope.localAxes[g.text] = Axis(g.text, .symbol(g.text)) }
        for p in declaration.sizeParameters {
            guard let value = p.defaultValue else { return nil }
            guard let size = me.evaluateSize(value) else { return nil }
            me.scope.localSizes[p.name.text] = size
            me.scope.sizeParameters.insert(p.name.text)
            me.builder.addSizeArgument(SizeArgument(name: p.name.text, value: size, written: WrittenFormula(value)))
        }
        session.callStack = [declaration.name.text]
        guard let inputTypes = me.resolveInputTypes() else { return nil }
        return me.run(inputs: inputTypes.map { .some($0) }) ? me.builder.build() : nil
    }

    /// Resolves the declared input types in this instantiation's scope.
    func resolveInputTypes() -> [ArrayType]? {
        var types: [ArrayType] = []
        var ok = true
        for input in declaration.inputs {
            if let t = resolveType(input.type) { types.append(t) } else { ok = false }
        }
        return ok ? types : nil
    }

    /// Binds the inputs and evaluates the body; false if the graph is incomplete.
    func run(inputs: [ArrayType?]) -> Bool {
        var seen: [String: SourceRange] = [:]
        for (input, type) in zip(declaration.inputs, inputs) {
            if let earlier = seen[input.name.text] {
                error(
                    .duplicateDefinition, "input `\(input.name.text)` is declared twice", at: input.name.range,
                    notes: [DiagnosticNote("first declared here", at: earlier)])
            }
            seen[input.name.text] = input.name.range
            let id = type.map { builder.addInput($0, name: input.name.text, location: Self.span(input.name.range)) }
            scope.bindings[input.name.text] = Binding(value: id, range: input.name.range, isInput: true)
        }
        guard let body = declaration.body else { return false }
        let errorsBefore = session.diagnostics.errorCount
        declaredOutputs = declaration.outputs.map(resolveType)
        execute(body)
        let complete = !declaration.bodyHasSyntaxErrors
        // Past the operation budget the body was cut short: that error is the one to read.
        if !returned, complete, !isScratch, !session.budgetExceeded {
            error(
                .missingReturn, "diagram `\(declaration.name.text)` never returns its outputs; end it with `return …`",
                at: declaration.name.range)
        }
        // An error already reported at the same place (the same diagram checked on its own
        // first) is not counted twice, so a failed value can also show as a missing output.
        let clean =
            session.diagnostics.errorCount == errorsBefore
            && (isScratch || builder.outputCount == declaration.outputs.count)
        // After an error, "never used" mostly echoes it: a failed expression uses nothing.
        if reportsUnused, clean, complete, !session.budgetExceeded { warnUnused() }
        return clean && complete
    }

    func warnUnused() {
        for (name, b) in scope.bindings.sorted(by: { $0.value.range.start < $1.value.range.start })
        where !b.used && b.value != nil && !name.hasPrefix("_") {
            report(
                .warning(
                    .unused, "\(b.isInput ? "input" : "value") `\(name)` is never used", at: b.range,
                    fixIts: [
                        FixIt("name it `_\(name)` to silence this warning", range: b.range, replacement: "_\(name)")
                    ]))
        }
    }
}
