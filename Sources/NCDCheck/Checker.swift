import NCDCore
import NCDSyntax

/// What checking a file produced: its diagnostics and, for each diagram, the typed graph.
public struct CheckResult {
    /// The parsed file.
    public var unit: SourceUnit
    /// Every diagnostic, syntax and type, sorted by position.
    public var diagnostics: [Diagnostic]
    /// Global axes with their sizes, in declaration order.
    public var axes: [GlobalAxis]
    /// Each declared diagram, in source order.
    public var diagrams: [CheckedDiagram]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The diagram with this name.
    public func diagram(named name: String) -> CheckedDiagram? { diagrams.first { $0.name == name } }
}

/// An axis declared at top level.
public struct GlobalAxis {
    public var name: String
    /// Its size: a number, an expression over free sizes, or the free size itself.
    public var size: SizeExpr
    public var isFree: Bool { size == .symbol(name) }
    public var declaration: SourceRange
}

/// A diagram after checking.
public struct CheckedDiagram {
    public var name: String
    /// The signature as written, with generic axes and size parameters.
    public var signature: String
    /// The typed graph of the diagram instantiated with its own signature (generic axes
    /// as free sizes, size parameters at their defaults); nil when it could not be built,
    /// or when a size parameter has no default and the diagram is never called.
    public var graph: DiagramGraph?
    public var declaration: SourceRange
    /// Declared without a body: a typed box such as the paper's f and G.
    public var isAbstract: Bool
    /// Whether another diagram calls it (templates are checked at each call).
    public var isCalled = false
}

/// Options that change what checking assumes.
public struct CheckOptions {
    /// Sizes given on the command line (`--size y=20`); they replace the declared sizes of
    /// axes and constants of those names.
    public var sizes: [String: Int]
    /// How many operations the unrolled diagrams may have before checking stops.
    public var operationLimit: Int

    /// A diagram whose body is a workspace rather than a definition (the REPL's): its
    /// `return` takes whatever it is given as the outputs, it need not return, and unused
    /// values are not reported.
    public var scratchDiagram: String?

    public init(sizes: [String: Int] = [:], operationLimit: Int = 250_000, scratchDiagram: String? = nil) {
        self.sizes = sizes
        self.operationLimit = operationLimit
        self.scratchDiagram = scratchDiagram
    }
}

/// Parses and type-checks `.ncd` sources.
public enum Checker {
    /// Checks one file: parse, resolve names, infer every type, and build the typed graphs.
    public static func check(_ file: SourceFile, options: CheckOptions = CheckOptions()) -> CheckResult {
        let (unit, syntaxDiagnostics) = Parser.parse(file)
        var bag = DiagnosticBag()
        syntaxDiagnostics.forEach { bag.report($0) }
        let globals = GlobalScope(unit: unit, options: options, diagnostics: &bag)
        var diagrams: [CheckedDiagram] = []
        var called: Set<String> = []
        let budget = OperationBudget(limit: options.operationLimit)
        for declaration in globals.diagramOrder {
            let graph = Instantiator.instantiateForCheck(
                declaration, globals: globals, diagnostics: &bag, called: &called, budget: budget)
            diagrams.append(
                CheckedDiagram(
                    name: declaration.name.text, signature: file.text(in: declaration.signatureRange),
                    graph: graph, declaration: declaration.signatureRange,
                    isAbstract: declaration.body == nil))
        }
        for declaration in globals.diagramOrder where declaration.body != nil && !called.contains(declaration.name.text)
        {
            if let p = declaration.sizeParameters.first(where: { $0.defaultValue == nil }) {
                bag.report(
                    .warning(
                        .uncheckedTemplate,
                        "`\(declaration.name.text)` is never called and size parameter `\(p.name.text)` has no default, so its body is not checked",
                        at: p.name.range,
                        fixIts: [FixIt("give it a default", range: p.name.range, replacement: "\(p.name.text) = 1")]))
            }
        }
        for i in diagrams.indices { diagrams[i].isCalled = called.contains(diagrams[i].name) }
        let axes = globals.axisOrder.compactMap { name in
            globals.axes[name].map { GlobalAxis(name: name, size: $0.size, declaration: $0.declaration) }
        }
        return CheckResult(unit: unit, diagnostics: bag.sorted, axes: axes, diagrams: diagrams)
    }

    /// The names in `options.sizes` that are neither axes nor constants of the file.
    public static func unknownSizeNames(in result: CheckResult, options: CheckOptions) -> [String] {
        let known = Set(result.axes.map(\.name)).union(
            result.unit.declarations.compactMap {
                if case .constant(let name, _) = $0 { return name.text }
                return nil
            })
        return options.sizes.keys.filter { !known.contains($0) }.sorted()
    }
}
