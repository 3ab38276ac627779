import NCDCheck
import NCDSyntax
import XCTest

/// Every diagnostic has a stable, unique, explained identity.
final class DiagnosticCatalogTests: XCTestCase {
    func testCodesAreUniqueAndWellFormed() {
        let codes = DiagnosticCatalog.all.map(\.code)
        XCTAssertEqual(Set(codes).count, codes.count, "duplicate codes: \(codes)")
        for id in DiagnosticCatalog.all {
            XCTAssertTrue(
                id.code.count == 4 && "EW".contains(id.code.first!) && id.code.dropFirst().allSatisfy(\.isNumber),
                id.code)
            XCTAssertFalse(id.title.isEmpty, id.code)
            XCTAssertGreaterThan(id.explanation.count, 60, "\(id.code) needs a real explanation")
        }
    }

    func testLookupIgnoresCase() {
        XCTAssertEqual(DiagnosticCatalog.explanation(of: "e010")?.title, "unknown axis")
        XCTAssertNil(DiagnosticCatalog.explanation(of: "E999"))
    }

    func testEveryReportedDiagnosticIsInTheCatalog() {
        // A file with one mistake of several kinds, syntax included.
        let source = "axis n = 4\naxis n = 5\ndiagram D(x: [n]) -> [n] {\n  y = relu(q)\n  return softmx[n](x)\n}\n$"
        let result = Checker.check(SourceFile(name: "t", text: source))
        XCTAssertGreaterThanOrEqual(result.diagnostics.count, 4)
        for d in result.diagnostics {
            XCTAssertNotNil(DiagnosticCatalog.explanation(of: d.id.code), "\(d.id.code): \(d.message)")
        }
        XCTAssertEqual(Set(result.diagnostics.map(\.id.code)), ["E001", "E013", "E011", "E012"])
    }
}
