import Foundation
import NCDCheck
import NCDCore
import NCDRender
import NCDSyntax
import XCTest

let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples")

/// Every example file's name.
func exampleNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".ncd") }.sorted()
}

/// The deep examples checked with two repetitions of their loops, to keep the tests quick:
/// a loop is drawn once whatever its count (and `--unroll` draws every iteration), and
/// every invariant the scene tests check holds alike at any count.
let fewerRepetitions: [String: [String: Int]] = [
    "gpt2.ncd": ["layers": 2], "vit.ncd": ["depth": 2], "mixer.ncd": ["depth": 2], "lstm.ncd": ["t": 3],
    "gru.ncd": ["t": 3],
]

/// The checked graph of a diagram in source text or an example (default: the file's last diagram).
func graph(
    source: String? = nil, example: String? = nil, diagram: String? = nil,
    file: StaticString = #filePath, line: UInt = #line
) throws -> DiagramGraph {
    let text = try source ?? String(contentsOf: examples.appendingPathComponent(example!), encoding: .utf8)
    let sizes = example.flatMap { fewerRepetitions[$0] } ?? [:]
    let result = Checker.check(SourceFile(name: example ?? "test.ncd", text: text), options: CheckOptions(sizes: sizes))
    XCTAssertFalse(result.hasErrors, "\(result.diagnostics.map(\.message))", file: file, line: line)
    let chosen = try XCTUnwrap(
        diagram.map { result.diagram(named: $0) } ?? result.diagrams.last, file: file, line: line)
    return try XCTUnwrap(chosen.graph, "no graph for \(chosen.name)", file: file, line: line)
}

func scene(
    source: String? = nil, example: String? = nil, diagram: String? = nil, options: RenderOptions = RenderOptions(),
    file: StaticString = #filePath, line: UInt = #line
) throws -> Scene {
    DiagramRenderer.scene(
        for: try graph(source: source, example: example, diagram: diagram, file: file, line: line), options: options)
}
