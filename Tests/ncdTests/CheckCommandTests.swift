import Foundation
import XCTest

/// Runs the built `ncd` binary as a user would and checks exit codes and output.
final class CheckCommandTests: XCTestCase, RunsNCD {
    func testCleanExampleExitsZero() throws {
        let run = try ncd(["check", "examples/attention.ncd", "examples/transformer.ncd"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stderr, "")
    }

    func testErrorsExit65WithLocationCaretAndFixIt() throws {
        let path = try temporaryFile(
            "axis b = 2, d_model = 8, d_ff = 32\ndiagram D(x: [b, d_model]) -> [b, d_ff] {\n  return linear[d_model -> dff](x)\n}\n"
        )
        let run = try ncd(["check", "--color", "never", path])
        XCTAssertEqual(run.status, 65)
        XCTAssertTrue(run.stderr.contains("\(path):3:28: error[E010]: unknown axis `dff`"), run.stderr)
        XCTAssertTrue(
            run.stderr.contains("   3 |   return linear[d_model -> dff](x)\n     |                            ^~~"),
            run.stderr)
        XCTAssertTrue(run.stderr.contains("help: did you mean `d_ff`?"), run.stderr)
        XCTAssertTrue(run.stderr.contains("1 error, 0 warnings"), run.stderr)
        XCTAssertTrue(run.stderr.contains("`ncd check --explain E010` says more"), run.stderr)
    }

    func testErrorsPastTheLimitAreCountedNotShown() throws {
        // 2,000 errors on one line: 20 shown, each with a window of the line, the rest counted.
        let body = (0..<2000).map { "diagram D\($0)(x: [n]) -> [n] { return relu(y\($0)) }" }.joined(separator: "; ")
        let path = try temporaryFile("axis n = 2; " + body + "\n")
        let run = try ncd(["check", "--color", "never", path])
        XCTAssertEqual(run.status, 65)
        XCTAssertEqual(run.stderr.components(separatedBy: "error[E011]").count - 1, 20)
        XCTAssertTrue(run.stderr.contains("… and 1980 more errors (--error-limit 0 shows them all)"), run.stderr)
        XCTAssertTrue(run.stderr.contains("2000 errors, 0 warnings"), run.stderr)
        XCTAssertLessThan(run.stderr.utf8.count, 20_000, "bounded by the limit and the window, not the file")
        let all = try ncd(["check", "--color", "never", "--error-limit", "0", path])
        XCTAssertEqual(all.stderr.components(separatedBy: "error[E011]").count - 1, 2000)
        XCTAssertLessThan(all.stderr.utf8.count, 2000 * 400, "each error shows a window, not the 100 KB line")
    }

    func testHelpIsTheArgumentParsersAndExitsZero() throws {
        for command in [[], ["check"], ["run"], ["render"], ["bench"]] {
            let help = try ncd(command + ["--help"])
            XCTAssertEqual(help.status, 0, "\(command): \(help.stderr)")
            XCTAssertTrue(
                help.stdout.contains("OVERVIEW:") && help.stdout.contains("USAGE:"), "\(command): \(help.stdout)")
        }
    }

    func testExplainPrintsTheLongerExplanation() throws {
        let run = try ncd(["check", "--explain", "e010"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("E010: unknown axis\n\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("linear[d_model -> d_ff](x)"), run.stdout)
        let unknown = try ncd(["check", "--explain", "E999"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("no diagnostic `E999`"), unknown.stderr)
    }

    func testUsageErrorsExit64() throws {
        XCTAssertEqual(try ncd(["check"]).status, 64)
        let missing = try ncd(["check", "no/such/file.ncd"])
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderr.contains("no such file"), missing.stderr)
        XCTAssertEqual(try ncd(["check", "examples"]).status, 64)
        let unknownSize = try ncd(["check", "--size", "zz=3", "examples/mlp.ncd"])
        XCTAssertEqual(unknownSize.status, 64)
        XCTAssertTrue(unknownSize.stderr.contains("zz"), unknownSize.stderr)
        XCTAssertEqual(try ncd(["check", "--size", "b=x", "examples/mlp.ncd"]).status, 64)
        XCTAssertEqual(try ncd(["check", "--size", "b=0", "examples/mlp.ncd"]).status, 64)
        XCTAssertEqual(try ncd(["check", "--diagram", "Nope", "examples/mlp.ncd"]).status, 64)
        XCTAssertEqual(try ncd(["frobnicate"]).status, 64)
    }

    func testTypesReportShowsEveryWire() throws {
        let run = try ncd(["check", "--types", "--size", "b=32", "examples/mlp.ncd"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("input image : [b:32, x̄:28, ȳ:28]"), run.stdout)
        XCTAssertTrue(run.stdout.contains("x : [b:32, pixels:784]"), run.stdout)
        XCTAssertTrue(run.stdout.contains("output 1 : [b:32, classes:10]  (320 elements, 1.2 KiB)"), run.stdout)
    }

    func testCostReportTotals() throws {
        let run = try ncd(["check", "--cost", "--diagram", "ResidualMLP", "examples/residual_mlp.ncd"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // Two linear layers 1024↔4096 over 256 rows: 2·2·256·1024·4096 multiply-add FLOPs,
        // plus bias adds, the ReLU and the residual add.
        let flops = 2 * 2 * 256 * 1024 * 4096 + 256 * 4096 + 256 * 1024 + 256 * 4096 + 256 * 1024
        let params = 1024 * 4096 + 4096 + 4096 * 1024 + 1024
        XCTAssertTrue(run.stdout.contains("total"), run.stdout)
        XCTAssertTrue(run.stdout.contains(" \(flops) "), run.stdout)
        XCTAssertTrue(run.stdout.contains(" \(params) "), run.stdout)
    }

    func testWarningsAsErrors() throws {
        let path = try temporaryFile("axis n = 2\ndiagram D(x: [n], y: [n]) -> [n] {\n  return x\n}\n")
        XCTAssertEqual(try ncd(["check", path]).status, 0)
        XCTAssertEqual(try ncd(["check", "--warnings-as-errors", path]).status, 65)
    }

    func testBinaryGarbageIsAnErrorNotACrash() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-\(UUID().uuidString).ncd")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let run = try ncd(["check", url.path])
        XCTAssertEqual(run.status, 65, run.stderr)
    }
}
