import Foundation
import NCDCheck
import NCDCore
import NCDRender
import NCDSyntax
import XCTest

/// Every diagram of the language suite's valid cases (and of the warning cases) renders, and
/// keeps the scene's basic invariants: a wide net of shapes the examples do not cover.
final class LanguageCaseRenderTests: XCTestCase {
    func testEveryValidCaseRendersWithItsInvariants() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NCDCheckTests/cases")
        var rendered = 0
        for folder in ["valid", "warnings"] {
            let dir = root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
            where name.hasSuffix(".ncd") {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                let result = Checker.check(SourceFile(name: name, text: text), options: CheckOptions())
                for diagram in result.diagrams {
                    guard let graph = diagram.graph else { continue }
                    var opened = RenderOptions()
                    opened.expandAll = true
                    for options in [RenderOptions(), opened] {
                        let s = DiagramRenderer.scene(for: graph, options: options)
                        rendered += 1
                        XCTAssertTrue(
                            s.width > 0 && s.height > 0 && s.width.isFinite && s.height.isFinite,
                            "\(name) \(diagram.name)")
                        for w in s.wires {
                            XCTAssertTrue(
                                s.ports.contains { abs($0.x - w.start.x) < 1e-6 && abs($0.y - w.start.y) < 1e-6 },
                                "\(name) \(diagram.name)")
                            XCTAssertTrue(
                                s.ports.contains { abs($0.x - w.end.x) < 1e-6 && abs($0.y - w.end.y) < 1e-6 },
                                "\(name) \(diagram.name)")
                        }
                        for (i, a) in s.labels.enumerated() {
                            for b in s.labels[(i + 1)...] where a.rect.overlaps(b.rect) {
                                XCTFail("\(name) \(diagram.name): labels \(a.axis) and \(b.axis) overlap")
                            }
                        }
                        XCTAssertNoThrow(try CairoBackend.render(s, as: .svg), "\(name) \(diagram.name)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(rendered, 100)
    }
}
