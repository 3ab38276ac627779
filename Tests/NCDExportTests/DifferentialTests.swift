import Foundation
import NCDDifferential
import NCDInterop
import XCTest

/// A few hundred random programs (`scripts/difftest` runs ten thousand): each checks, runs
/// forward and backward in ncd and computes the same in PyTorch and ONNX Runtime; each
/// seed's mutant is rejected with located errors.
final class DifferentialTests: XCTestCase {
    func testRandomProgramsAgreeEverywhereAndMutantsAreRejected() throws {
        let (python, reason) = interopPython()
        guard let python else {
            print("DifferentialTests skipped: \(reason)")
            throw XCTSkip(reason)
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-differential-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let report = try DifferentialRun(python: python, root: root).run(seeds: 0..<300)
        for failure in report.failures { XCTFail("\(failure)") }
        XCTAssertEqual(report.programs, 300)
        XCTAssertEqual(report.mutantsRejected, 300)
        XCTAssertGreaterThan(report.statements, 300 * 3, "programs of a few statements each")
        print(
            "DifferentialTests: \(report.programs) programs, \(report.statements) statements, \(report.mutantsRejected) mutants rejected, \(report.failures.count) failures"
        )
    }

    func testTheGeneratorIsSeeded() {
        var a = ProgramGenerator(seed: 7)
        var b = ProgramGenerator(seed: 7)
        var c = ProgramGenerator(seed: 8)
        let (x, y, z) = (
            a.program(length: 6).description, b.program(length: 6).description, c.program(length: 6).description
        )
        XCTAssertEqual(x, y)
        XCTAssertNotEqual(x, z)
        XCTAssertTrue(x.contains("diagram Main("), x)
    }
}
