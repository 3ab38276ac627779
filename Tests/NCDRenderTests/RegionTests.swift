import NCDCore
import XCTest

@testable import NCDRender

/// Figure annotations from the source: `region "Title" note "…" { … }` around what its
/// statements draw. (Every example's regions and notes are checked in SceneInvariantTests.)
final class RegionTests: XCTestCase {
    func testTheCheckerRecordsWhichOperationsARegionHolds() throws {
        let g = try graph(example: "mlp.ncd")
        XCTAssertEqual(g.regions.map(\.title), ["", "Linear", "SoftMax"])
        // Three linears and two ReLUs in the stack; one softmax.
        XCTAssertEqual(g.operations.filter { $0.regions == [1] }.count, 5)
        XCTAssertEqual(g.operations.filter { $0.regions == [2] }.map(\.kind.mnemonic), ["softmax"])
        XCTAssertTrue(g.invariantViolations(recursive: false).isEmpty)
    }

    func testRegionsNestAndKeepTheirNotes() throws {
        let source = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("NCDCheckTests/cases/valid/regions.ncd"), encoding: .utf8)
        let g = try graph(source: source)
        XCTAssertEqual(g.regions.map(\.title), ["Linear", "Inner", nil])
        XCTAssertEqual(g.regions.map(\.parent), [nil, 0, nil])
        XCTAssertEqual(g.regions[2].note, "A \"note\" alone \\ no region.")
        let s = DiagramRenderer.scene(for: g)
        let linear = try XCTUnwrap(s.regions.first { $0.title == "Linear" }?.rect)
        let inner = try XCTUnwrap(s.regions.first { $0.title == "Inner" }?.rect)
        XCTAssertTrue(linear.contains(inner), "\(linear) holds \(inner)")
        XCTAssertEqual(s.regions.compactMap(\.note).count, 2, "both notes drawn")
        XCTAssertNil(s.regions.first { $0.title == nil }?.rect, "a note alone has no fill")
    }

    func testARegionSplitAcrossRowsIsTitledOnce() throws {
        let s = try scene(example: "mlp.ncd")
        let stack = s.regions.filter { $0.title == "Linear" || ($0.title == "" && $0.members.count > 1) }
        XCTAssertEqual(stack.count, 2, "the stack is wrapped onto two rows: \(s.regions.map(\.title))")
        XCTAssertEqual(stack.map(\.members.count).reduce(0, +), 5)
        let titles = s.shapes.compactMap { shape -> String? in
            guard case .text(let t) = shape, t.font == Regions.titleFont else { return nil }
            return t.text.plainText
        }
        XCTAssertEqual(titles.sorted(), ["Linear", "SoftMax"])
    }

    func testARegionAroundALoopEnclosesItsBrackets() throws {
        // The region's last operations are in the loop, its first is not: the loop is inside it.
        let source = """
            axis b, n = 4
            diagram D(x: [b, n]) -> [b, n] {
              region "Stack" {
                x = tanh(x)
                for l in 1..3 {
                  x = relu(linear[n -> n](x))
                }
              }
              return x
            }
            """
        let s = try scene(source: source)
        let rect = try XCTUnwrap(s.regions.first?.rect)
        let brackets = try XCTUnwrap(s.repetitions.first).brackets.flatMap { $0.flattened() }
        XCTAssertFalse(brackets.isEmpty)
        for p in brackets { XCTAssertTrue(rect.holds(p, inset: 0), "bracket point \(p) outside the region \(rect)") }
    }

    func testNotesAreWrappedAndWriteMath() {
        let lines = Regions.wrap("The C_λ values are saved to memory so that each up block can read them back.")
        XCTAssertGreaterThan(lines.count, 1)
        XCTAssertTrue(lines.allSatisfy { $0.width(in: Regions.noteFont) <= Regions.noteWidth })
        XCTAssertTrue(lines[0].runs.contains(TextRun("λ", .lowered)), "\(lines[0].runs)")
    }

    func testTheUNetsBlocksAreRegionsInsideTheirLoops() throws {
        let s = try scene(example: "unet.ncd")
        XCTAssertEqual(Set(s.regions.compactMap(\.title)), ["Down Scale Block", "Up Scale Block"])
        XCTAssertEqual(s.regions.compactMap(\.noteText).count, 2)
        // Each loop's brackets stand outside the region drawn in it.
        for r in s.regions.compactMap(\.rect) {
            let around = s.repetitions.filter { rep in
                let xs = rep.brackets.flatMap { $0.flattened().map(\.x) }
                return xs.min()! < r.x && xs.max()! > r.maxX
            }
            XCTAssertEqual(around.count, 1, "one loop around \(r)")
        }
    }
}
