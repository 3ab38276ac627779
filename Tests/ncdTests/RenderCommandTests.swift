import Foundation
import XCTest

/// `ncd render` as a user runs it: every format, and every way to get it wrong.
final class RenderCommandTests: XCTestCase, RunsNCD {
    func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-render-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func contents(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path)
    }

    func testRendersEachFormatFromItsExtension() throws {
        let dir = try temporaryDirectory()
        for (ext, magic) in [("svg", "<?xml"), ("png", "\u{89}PNG"), ("pdf", "%PDF-")] {
            let out = "\(dir)/mlp.\(ext)"
            let run = try ncd(["render", "examples/mlp.ncd", "-o", out, "--annotate", "shapes", "--theme", "plain"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let head = try Data(contentsOf: URL(fileURLWithPath: out)).prefix(magic.unicodeScalars.count)
            XCTAssertEqual(Array(head), magic.unicodeScalars.map { UInt8($0.value) }, ext)
        }
        XCTAssertEqual(
            try contents(dir).sorted(), ["mlp.pdf", "mlp.png", "mlp.svg"], "no temporary file is left behind")
    }

    func testWritesToStandardOutputWithAFormat() throws {
        let run = try ncd(["render", "examples/attention.ncd", "--expand", "Attention", "-o", "-", "--format", "svg"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("<?xml"))
        let noFormat = try ncd(["render", "examples/attention.ncd", "-o", "-"])
        XCTAssertEqual(noFormat.status, 64)
        XCTAssertTrue(noFormat.stderr.contains("needs --format"), noFormat.stderr)
    }

    func testUsageErrorsLeaveNoFile() throws {
        let dir = try temporaryDirectory()
        let cases: [([String], String)] = [
            (["render", "examples/mlp.ncd", "-o", "\(dir)/out.jpg"], "unknown extension .jpg"),
            (["render", "examples/mlp.ncd", "-o", "\(dir)/out"], "it has no extension"),
            (["render", "examples/mlp.ncd", "--diagram", "Nope", "-o", "\(dir)/out.png"], "has no diagram `Nope`"),
            (["render", "examples/resnet.ncd", "--expand", "Blok", "-o", "\(dir)/out.png"], "--expand Blok"),
            (["render", "examples/mlp.ncd", "-o", "\(dir)/missing/out.png"], "no folder"),
            (["render", "examples/mlp.ncd", "-o", dir], "cannot tell the format"),
            (["render", "examples/mlp.ncd", "-o", "\(dir)/out.png", "--format", "svg"], "disagrees"),
            (["render", "examples/mlp.ncd", "-o", "\(dir)/out.png", "--scale", "0"], "--scale"),
            (
                ["render", "examples/gpt2.ncd", "--expand", "all", "-o", "\(dir)/out.png", "--scale", "16"],
                "limited to 32767"
            ),
            (["render", "no-such-file.ncd", "-o", "\(dir)/out.png"], "no such file"),
            (["render", "examples/resnet.ncd", "--diagram", "Block", "-o", "\(dir)/out.png"], "--expand Block"),
        ]
        for (arguments, message) in cases {
            let run = try ncd(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
        XCTAssertEqual(try contents(dir), [], "nothing written")
    }

    func testUnwritableOutputIsAUsageError() throws {
        // Root may write any folder, but nobody creates files in /proc.
        let dir = try temporaryDirectory()
        let target = getuid() == 0 ? "/proc/ncd-render-test.png" : "\(dir)/out.png"
        chmod(dir, 0o555)
        defer { chmod(dir, 0o755) }
        let run = try ncd(["render", "examples/mlp.ncd", "-o", target])
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.stderr.contains("cannot write"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target))
    }

    func testASourceWithErrorsExits65AndWritesNothing() throws {
        let dir = try temporaryDirectory()
        let source = try temporaryFile("axis m = 4\ndiagram D(x: [m]) -> [m] { return relu(y) }\n")
        let run = try ncd(["render", source, "-o", "\(dir)/out.svg"])
        XCTAssertEqual(run.status, 65)
        XCTAssertTrue(run.stderr.contains("error"), run.stderr)
        XCTAssertEqual(try contents(dir), [])
    }

    func testAFailedWriteKeepsTheOldFile() throws {
        let dir = try temporaryDirectory()
        let out = "\(dir)/keep.svg"
        try Data("old".utf8).write(to: URL(fileURLWithPath: out))
        let run = try ncd(["render", "examples/mlp.ncd", "--diagram", "Missing", "-o", out])
        XCTAssertEqual(run.status, 64)
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "old")
    }

    func testRenderingIsDeterministicAcrossRuns() throws {
        let dir = try temporaryDirectory()
        for format in ["svg", "png", "pdf"] {
            for i in 1...2 {
                XCTAssertEqual(
                    try ncd(["render", "examples/multihead.ncd", "--expand", "all", "-o", "\(dir)/\(i).\(format)"])
                        .status, 0)
            }
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: "\(dir)/1.\(format)")),
                try Data(contentsOf: URL(fileURLWithPath: "\(dir)/2.\(format)")), format)
        }
    }
}
