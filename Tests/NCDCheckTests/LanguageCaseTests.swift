import Foundation
import NCDCheck
import NCDCore
import NCDSyntax
import XCTest

/// Runs every `.ncd` file under `cases/` and checks its inline expectations: each expected
/// diagnostic appears, no unexpected error or warning appears, and the named values,
/// parameters and costs have the stated types and figures.
final class LanguageCaseTests: XCTestCase {
    func testEveryCase() throws {
        let root = try XCTUnwrap(Bundle.module.url(forResource: "cases", withExtension: nil))
        let files = try caseFiles(under: root)
        XCTAssertGreaterThanOrEqual(files.count, 80, "the suite should have at least 80 cases")
        var failures: [String] = []
        for url in files {
            let name = url.path.replacingOccurrences(of: root.path + "/", with: "")
            failures += run(url, name: name)
        }
        for f in failures { XCTFail(f) }
        print("language cases: \(files.count - Set(failures.map { $0.split(separator: ":")[0] }).count) passed, \(Set(failures.map { $0.split(separator: ":")[0] }).count) failed")
    }

    func caseFiles(under root: URL) throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "ncd" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The failures of one case, each starting with the case's name.
    func run(_ url: URL, name: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return ["\(name): unreadable"] }
        let file = SourceFile(name: name, bytes: [UInt8](data))
        let expect = Expectations(source: String(decoding: data, as: UTF8.self))
        let result = Checker.check(file, options: CheckOptions(sizes: expect.sizes))
        var failures: [String] = []
        var unmatched = result.diagnostics

        for e in expect.diagnostics {
            let index = unmatched.firstIndex { d in
                let (line, column) = file.lineColumn(of: d.range.start)
                return d.severity == e.severity && line == e.line && (e.column == nil || e.column == column)
                    && d.message.contains(e.message)
            }
            if let index { unmatched.remove(at: index) } else {
                let near = result.diagnostics.filter { file.lineColumn(of: $0.range.start).line == e.line }
                    .map { "\(file.lineColumn(of: $0.range.start)) \($0.severity.rawValue): \($0.message)" }
                failures.append("\(name): missing \(e); on that line: \(near)")
            }
        }
        for d in unmatched where d.severity != .note {
            let (line, column) = file.lineColumn(of: d.range.start)
            failures.append("\(name): unexpected \(d.severity.rawValue) at \(line):\(column): \(d.message)")
        }
        for (line, text) in expect.fixIts {
            let found = result.diagnostics.contains { d in
                file.lineColumn(of: d.range.start).line == line
                    && d.fixIts.contains { $0.message.contains(text) || $0.replacement.contains(text) }
            }
            if !found { failures.append("\(name):\(line): no fix-it mentioning `\(text)`") }
        }
        let graphs = result.diagrams.compactMap(\.graph)
        for t in expect.types {
            let candidates = graphs.flatMap { g in g.values.filter { v in
                file.line(of: v.location.start) == t.line && (t.name == nil || v.name == t.name)
            }.map { g.type(of: $0.id).description } }
            guard let actual = candidates.last else {
                failures.append("\(name):\(t.line): no value\(t.name.map { " `\($0)`" } ?? "") on this line")
                continue
            }
            if !candidates.contains(t.type) {
                failures.append("\(name):\(t.line): expected type \(t.type), got \(actual)")
            }
        }
        let parameters = graphs.last?.allParameters ?? []
        for p in expect.parameters {
            guard let found = parameters.first(where: { $0.name == p.name }) else {
                failures.append("\(name):\(p.line): no parameter `\(p.name)`; have \(parameters.map(\.name))")
                continue
            }
            if found.type.description != p.type {
                failures.append("\(name):\(p.line): parameter `\(p.name)` has type \(found.type), expected \(p.type)")
            }
        }
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
