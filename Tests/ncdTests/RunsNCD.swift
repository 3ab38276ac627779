import Foundation
import XCTest

/// The result of running the `ncd` binary.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `ncd` binary as a user would, from the package root.
protocol RunsNCD: XCTestCase {}

extension RunsNCD {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    var binary: URL {
        let candidates =
            Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
            + [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        return candidates.map { $0.appendingPathComponent("ncd") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `ncd` with arguments and standard input. With `merged`, standard error goes to the
    /// same pipe as standard output, so a transcript keeps its order.
    func ncd(
        _ arguments: [String], stdin: String = "", merged: Bool = false,
        environment: [String: String]? = nil
    ) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        if let environment { process.environment = environment }
        let input = Pipe()
        let out = Pipe()
        let err = merged ? out : Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        // Drain stderr on another thread: a full pipe would block ncd while we wait on stdout.
        var stderr = Data()
        let drained = DispatchSemaphore(value: 0)
        if merged {
            drained.signal()
        } else {
            DispatchQueue.global().async {
                stderr = err.fileHandleForReading.readDataToEndOfFile()
                drained.signal()
            }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "ncd \(arguments) was killed by a signal")
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func temporaryFile(_ contents: String, extension ext: String = "ncd") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-\(UUID().uuidString).\(ext)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
