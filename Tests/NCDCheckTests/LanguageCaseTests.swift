import Foundation
import NCDCheck
import NCDSyntax
import XCTest

/// Runs every `.ncd` file under `cases/` through ``LanguageCase``. `NCD_CASE=text` runs only
/// the cases whose path contains `text`.
final class LanguageCaseTests: XCTestCase {
    func testEveryCase() throws {
        let root = try XCTUnwrap(Bundle.module.url(forResource: "cases", withExtension: nil))
        let filter = ProcessInfo.processInfo.environment["NCD_CASE"].flatMap { $0.isEmpty ? nil : $0 }
        let files = try caseFiles(under: root).filter { url in filter.map { url.path.contains($0) } ?? true }
        if filter == nil { XCTAssertGreaterThanOrEqual(files.count, 150, "the suite should have at least 150 cases") }
        XCTAssertFalse(files.isEmpty, "no case matches NCD_CASE=\(filter ?? "")")
        var failed = Set<String>()
        for url in files {
            let name = url.path.replacingOccurrences(of: root.path + "/", with: "")
            let data = try Data(contentsOf: url)
            let failures = LanguageCase.failures(name: name, bytes: [UInt8](data))
            if !failures.isEmpty { failed.insert(name) }
            for f in failures { XCTFail(f) }
        }
        print("language cases: \(files.count - failed.count) passed, \(failed.count) failed")
    }

    func caseFiles(under root: URL) throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "ncd" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }
}

/// The harness's own tests: each way a case can be wrong must make it fail.
final class LanguageCaseHarnessTests: XCTestCase {
    let valid = """
        axis n = 4
        diagram D(x: [n]) -> [n] {
          return relu(x)
        }
        """

    func failures(_ source: String) -> [String] { LanguageCase.failures(name: "t.ncd", bytes: Array(source.utf8)) }

    func testACorrectCasePasses() {
        XCTAssertEqual(failures(valid + "\n# expect-cost: D flops=4 params=0\n"), [])
        let error =
            "axis n = 4\ndiagram D(x: [n]) -> [n] {\n  return relu(y)  # expect-error: 3:15 E011 unknown name `y`\n}\n"
        XCTAssertEqual(failures(error), [])
    }

    func testAMisspelledTagFails() {
        let f = failures(valid + "\n# expect-eror: 3:10 E011 unknown name\n")
        XCTAssertTrue(f.contains { $0.contains("unknown tag `expect-eror`; did you mean `expect-error`?") }, "\(f)")
    }

    func testAWrongColumnFails() {
        let error =
            "axis n = 4\ndiagram D(x: [n]) -> [n] {\n  return relu(y)  # expect-error: 3:14 E011 unknown name `y`\n}\n"
        let f = failures(error)
        XCTAssertTrue(f.contains { $0.contains("missing error E011 at 3:14") }, "\(f)")
        XCTAssertTrue(f.contains { $0.contains("unexpected error E011 at 3:15") }, "\(f)")
    }

    func testAWrongIDFails() {
        let error =
            "axis n = 4\ndiagram D(x: [n]) -> [n] {\n  return relu(y)  # expect-error: 3:15 E010 unknown name `y`\n}\n"
        XCTAssertTrue(failures(error).contains { $0.contains("missing error E010") })
    }

    func testAnUnpinnedExpectationFails() {
        let error = "axis n = 4\ndiagram D(x: [n]) -> [n] {\n  return relu(y)  # expect-error: unknown name `y`\n}\n"
        XCTAssertTrue(failures(error).contains { $0.contains("must read LINE:COL ENNN MESSAGE") })
    }

    func testAnUnexpectedDiagnosticFails() {
        let f = failures("axis n = 4\ndiagram D(x: [n], y: [n]) -> [n] {\n  return relu(x)\n}\n")
        XCTAssertTrue(f.contains { $0.contains("unexpected warning W001") }, "\(f)")
    }

    func testAWrongCostFails() {
        XCTAssertTrue(failures(valid + "\n# expect-cost: D flops=5\n").contains { $0.contains("FLOPs 4, expected 5") })
        XCTAssertTrue(failures(valid + "\n# expect-cost: D flop=4\n").contains { $0.contains("takes flops=") })
    }

    func testProseCommentsAreNotTags() {
        XCTAssertEqual(failures("# Note: a comment in prose.\n# the paper says: figure 3\n" + valid), [])
        // One lower-case word and a colon reads as a tag, and an unknown one fails.
        XCTAssertEqual(failures("# see: figure 3\n" + valid), ["t.ncd:1: unknown tag `see`"])
    }
}
