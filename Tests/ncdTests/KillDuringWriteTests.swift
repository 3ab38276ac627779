import Foundation
import NCDExec
import XCTest

/// A process killed (SIGKILL, nothing to clean up with) in the middle of writing a file
/// leaves the file it was replacing whole: writes go to a temporary that is renamed over
/// the target only once complete.
final class KillDuringWriteTests: XCTestCase, RunsNCD {
    func testAKillInTheMiddleOfAWriteLeavesTheOldFileWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let target = "\(dir)/w.safetensors"
        let old = Data("the previous weights".utf8)
        try old.write(to: URL(fileURLWithPath: target))
        // 4 M parameters: a 16 MB file, long enough to write that the kill lands inside it.
        let source = try temporaryFile(
            "axis b, a = 2048, o = 2048\ndiagram Big(x: [b, a]) -> [b, o] {\n  return linear[a -> o](x)\n}\n")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", source, "--size", "b=1", "--save-weights", target]
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        var sawTemporary = false
        while Date() < deadline, process.isRunning {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            if entries.contains(where: { $0.hasPrefix(".w.safetensors") }) {
                kill(process.processIdentifier, SIGKILL)
                sawTemporary = true
                break
            }
        }
        process.waitUntilExit()
        XCTAssertTrue(sawTemporary, "the write ended before it could be interrupted")
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: target)), old, "the old file is whole")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "w.safetensors" }
        XCTAssertTrue(left.allSatisfy { $0.hasPrefix(".w.safetensors.ncd-tmp-") }, "\(left)")

        // The next write replaces it whole.
        let again = try ncd(["run", source, "--size", "b=1", "--save-weights", target])
        XCTAssertEqual(again.status, 0, again.stderr)
        let weights = try SafeTensors.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: target))))
        XCTAssertEqual(weights.values.map(\.shape).sorted { $0.count < $1.count }, [[2048], [2048, 2048]])
    }
}
