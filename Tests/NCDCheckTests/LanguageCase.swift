import NCDCheck
import NCDCore
import NCDSyntax

/// One language test case: a source file checked against its inline expectations. Each
/// expected diagnostic must appear (same place, ID and text), no unexpected error or warning
/// may appear, and the named values, parameters and costs must have the stated types and
/// figures.
enum LanguageCase {
    /// The failures of one case, each starting with the case's name.
    static func failures(name: String, bytes: [UInt8]) -> [String] {
        let file = SourceFile(name: name, bytes: bytes)
        let expect = Expectations(source: String(decoding: bytes, as: UTF8.self))
        var options = CheckOptions(sizes: expect.sizes)
        if let limit = expect.operationLimit { options.operationLimit = limit }
        let result = Checker.check(file, options: options)
        var failures = expect.problems.map { "\(name):\($0)" }
        failures += diagnosticFailures(name, file, expect, result)
        let graphs = result.diagrams.compactMap(\.graph)
        for graph in graphs {
            failures += graph.invariantViolations().map { "\(name): graph invariant: \($0)" }
        }
        failures += typeFailures(name, file, expect, graphs)
        failures += parameterFailures(name, expect, graphs.last?.allParameters ?? [])
        failures += costFailures(name, expect, result)
        return failures
    }

    private static func diagnosticFailures(
        _ name: String, _ file: SourceFile, _ expect: Expectations,
        _ result: CheckResult
    ) -> [String] {
        var failures: [String] = []
        var unmatched = result.diagnostics
        func describe(_ d: NCDSyntax.Diagnostic) -> String {
            let (line, column) = file.lineColumn(of: d.range.start)
            return "\(d.severity.rawValue) \(d.id.code) at \(line):\(column): \(d.message)"
        }
        for e in expect.diagnostics {
            let index = unmatched.firstIndex { d in
                let (line, column) = file.lineColumn(of: d.range.start)
                return d.severity == e.severity && line == e.line && column == e.column && d.id.code == e.id
                    && d.message.contains(e.message)
            }
            if let index {
                unmatched.remove(at: index)
            } else {
                let near = result.diagnostics.filter { file.lineColumn(of: $0.range.start).line == e.line }.map(
                    describe)
                failures.append("\(name): missing \(e); on that line: \(near)")
            }
        }
        for d in unmatched where d.severity != .note {
            failures.append("\(name): unexpected \(describe(d))")
        }
        for d in result.diagnostics where DiagnosticCatalog.explanation(of: d.id.code) == nil {
            failures.append("\(name): \(describe(d)) has no entry in the diagnostic catalog")
        }
        for (line, text) in expect.fixIts {
            let found = result.diagnostics.contains { d in
                file.lineColumn(of: d.range.start).line == line
                    && d.fixIts.contains { $0.message.contains(text) || $0.replacement.contains(text) }
            }
            if !found { failures.append("\(name):\(line): no fix-it mentioning `\(text)`") }
        }
        return failures
    }

    private static func typeFailures(
        _ name: String, _ file: SourceFile, _ expect: Expectations,
        _ graphs: [DiagramGraph]
    ) -> [String] {
        var failures: [String] = []
        for t in expect.types {
            let candidates = graphs.flatMap { g in
                g.values.filter { v in
                    file.line(of: v.location.start) == t.line && (t.name == nil || v.name == t.name)
                }.map { g.type(of: $0.id).description }
            }
            guard let actual = candidates.last else {
                failures.append("\(name):\(t.line): no value\(t.name.map { " `\($0)`" } ?? "") on this line")
                continue
            }
            if !candidates.contains(t.type) {
                failures.append("\(name):\(t.line): expected type \(t.type), got \(actual)")
            }
        }
        return failures
    }

    private static func parameterFailures(_ name: String, _ expect: Expectations, _ parameters: [Parameter]) -> [String]
    {
        var failures: [String] = []
        for p in expect.parameters {
            guard let found = parameters.first(where: { $0.name == p.name }) else {
                failures.append("\(name):\(p.line): no parameter `\(p.name)`; have \(parameters.map(\.name))")
                continue
            }
            if found.type.description != p.type {
                failures.append("\(name):\(p.line): parameter `\(p.name)` has type \(found.type), expected \(p.type)")
            }
        }
        return failures
    }

    private static func costFailures(_ name: String, _ expect: Expectations, _ result: CheckResult) -> [String] {
        var failures: [String] = []
        for c in expect.costs {
            guard let g = result.diagram(named: c.diagram)?.graph, let total = try? g.totalCost() else {
                failures.append("\(name):\(c.line): no cost for diagram `\(c.diagram)`")
                continue
            }
            if let f = c.flops, total.flops.description != f {
                failures.append("\(name):\(c.line): `\(c.diagram)` FLOPs \(total.flops), expected \(f)")
            }
            if let p = c.params, total.parameters.description != p {
                failures.append("\(name):\(c.line): `\(c.diagram)` parameters \(total.parameters), expected \(p)")
            }
        }
        return failures
    }
}
