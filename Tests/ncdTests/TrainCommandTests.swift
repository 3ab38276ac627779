import Foundation
import NCDExec
import XCTest

/// `ncd train` as a user runs it, on archives numpy wrote (x: 6×4 float32, y: 6 int64).
final class TrainCommandTests: XCTestCase, RunsNCD {
    let stored = "Tests/NCDExecTests/fixtures/npz_stored.npz"
    let deflated = "Tests/NCDExecTests/fixtures/npz_deflated.npz"
    let net = """
        axis b, f = 4, classes = 10
        diagram Net(x: [b, f], y: int[b]) -> ([], [b, classes]) {
          logits = linear[f -> classes](x) as head
          return cross_entropy[classes](logits, y), logits
        }
        """

    func scratch() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-train-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testTrainsLogsPlotsSavesAndTheWeightsRun() throws {
        let (file, dir) = (try temporaryFile(net), scratch())
        let run = try ncd([
            "train", file, "--data", deflated, "--val", stored, "--epochs", "3", "--batch-size", "4", "--lr", "0.1",
            "--log", "\(dir)/log.jsonl", "--plot", "\(dir)/curves.png", "--save", "\(dir)/w.safetensors",
            "--checkpoint", "\(dir)/c.safetensors",
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let epochs = run.stdout.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        XCTAssertEqual(epochs.count, 3, run.stdout)
        XCTAssertTrue(epochs[2].contains("val_accuracy"), run.stdout)
        let lines = try String(contentsOfFile: "\(dir)/log.jsonl", encoding: .utf8).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(objects.filter { $0["lr"] != nil }.count, 6, "two steps (4 + 2 examples) in each of 3 epochs")
        XCTAssertEqual(objects.filter { $0["val_loss"] != nil }.count, 3)
        let png = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/curves.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let weights = try SafeTensors.decode(
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/w.safetensors"))))
        XCTAssertEqual(Set(weights.keys), ["head.weight", "head.bias"])
        let again = try ncd(["run", file, "--size", "b=2", "--weights", "\(dir)/w.safetensors"])
        XCTAssertEqual(again.status, 0, again.stderr)
    }

    func testResumingEndsWithTheWeightsOfAnUnbrokenRun() throws {
        let (file, dir) = (try temporaryFile(net), scratch())
        let common = [
            "train", file, "--data", deflated, "--batch-size", "4", "--optimizer", "sgd", "--momentum", "0.9",
        ]
        XCTAssertEqual(try ncd(common + ["--epochs", "2", "--save", "\(dir)/whole.safetensors"]).status, 0)
        XCTAssertEqual(try ncd(common + ["--epochs", "1", "--checkpoint", "\(dir)/c.safetensors"]).status, 0)
        let resumed = try ncd(
            common + ["--epochs", "2", "--resume", "\(dir)/c.safetensors", "--save", "\(dir)/resumed.safetensors"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resumed from"), resumed.stdout)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: "\(dir)/whole.safetensors")),
            try Data(contentsOf: URL(fileURLWithPath: "\(dir)/resumed.safetensors")))
        let other = try ncd(common + ["--epochs", "2", "--resume", "\(dir)/c.safetensors", "--batch-size", "3"])
        XCTAssertEqual(other.status, 64)
        XCTAssertTrue(other.stderr.contains("--batch-size 4, not --batch-size 3"), other.stderr)
    }

    func testDataErrorsExit64NamingTheArray() throws {
        let dir = scratch()
        let renamed = try temporaryFile(
            net.replacingOccurrences(of: "y: int[b]", with: "labels: int[b]").replacingOccurrences(
                of: "logits, y)", with: "logits, labels)"))
        let missing = try ncd(["train", renamed, "--data", stored])
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(
            missing.stderr.contains("has no array `labels` for the input `labels: int[b]`; it holds x, y"),
            missing.stderr)
        let reals = try temporaryFile(
            "axis b, f = 4\ndiagram Fit(x: [b, f], y: [b]) -> [] {\n  return mse(mean[f](linear[f -> f](x)), y)\n}\n")
        let dtype = try ncd(["train", reals, "--data", stored])
        XCTAssertEqual(dtype.status, 64)
        XCTAssertTrue(dtype.stderr.contains("array `y` is <i8, but the input `y` takes real values"), dtype.stderr)
        let lossLast = try temporaryFile(
            net.replacingOccurrences(of: "([], [b, classes])", with: "([b, classes], [])").replacingOccurrences(
                of: "return cross_entropy[classes](logits, y), logits",
                with: "return logits, cross_entropy[classes](logits, y)"))
        let order = try ncd(["train", lossLast, "--data", stored])
        XCTAssertEqual(order.status, 64)
        XCTAssertTrue(order.stderr.contains("returns its scalar loss first"), order.stderr)
        let nothing = try ncd(["train", try temporaryFile(net), "--data", "\(dir)/none.npz"])
        XCTAssertEqual(nothing.status, 64)
        XCTAssertTrue(nothing.stderr.contains("no such file"), nothing.stderr)
    }

    func testSettingsPyTorchRefusesAndUnwritableOutputsAreRefusedBeforeTraining() throws {
        let file = try temporaryFile(net)
        let cases: [([String], String)] = [
            (["--lr", "-1"], "--lr must be a number of 0 or more, got -1.0"),
            (["--lr", "nan"], "--lr must be a number of 0 or more"),
            (["--optimizer", "sgd", "--nesterov"], "--nesterov needs a --momentum and no --dampening"),
            (["--momentum", "0.9"], "--momentum, --dampening and --nesterov are SGD's"),
            (["--epochs", "9223372036854775806"], "--epochs is at most 1000000"),
            (["--step-every", "0"], "--step-every must be positive"),
            (["--save", "/nonexistent/w.safetensors"], "no folder /nonexistent"),
        ]
        for (extra, message) in cases {
            let run = try ncd(["train", file, "--data", stored] + extra)
            XCTAssertEqual(run.status, 64, "\(extra): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(message), "\(extra): \(run.stderr)")
            XCTAssertFalse(run.stdout.contains("epoch"), "\(extra): refused before training")
        }
        // A batch larger than the data is the whole data, once.
        let huge = try ncd(["train", file, "--data", stored, "--batch-size", "9223372036854775807", "--epochs", "1"])
        XCTAssertEqual(huge.status, 0, huge.stderr)
        XCTAssertTrue(huge.stdout.contains("(1 batch of 6 along `b`)"), huge.stdout)
        // Nothing to learn.
        let constant = try temporaryFile(
            "axis b, f = 4\ndiagram Net(x: [b, f], y: [b]) -> [] {\n  return mean[b f](x)\n}\n")
        let nothing = try ncd(["train", constant, "--data", stored])
        XCTAssertEqual(nothing.status, 64)
        XCTAssertTrue(nothing.stderr.contains("`Net` has no parameters to train"), nothing.stderr)
    }

    /// Runs `ncd train` with `arguments`, sends SIGINT once its log holds `lines` lines,
    /// and returns how it ended and what it said on standard error.
    func interruptedTraining(_ arguments: [String], log: String, after lines: Int) throws -> (
        reason: Process.TerminationReason, status: Int32, stderr: String
    ) {
        let process = Process()
        process.executableURL = binary
        process.currentDirectoryURL = Self.root
        process.arguments = ["train"] + arguments + ["--log", log]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline,
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count < lines
        {
            usleep(20_000)
        }
        process.interrupt()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus, message)
    }

    func testCtrlCStopsAfterAStepAndWritesACheckpointToResumeFrom() throws {
        let (file, dir) = (try temporaryFile(net), scratch())
        let stopped = try interruptedTraining(
            [
                file, "--data", stored, "--batch-size", "1", "--epochs", "100000", "--checkpoint",
                "\(dir)/c.safetensors",
            ],
            log: "\(dir)/log.jsonl", after: 20)
        XCTAssertEqual(stopped.reason, .exit)
        XCTAssertEqual(stopped.status, 130, stopped.stderr)
        XCTAssertTrue(stopped.stderr.contains("checkpoint written to \(dir)/c.safetensors"), stopped.stderr)
        let resumed = try ncd([
            "train", file, "--data", stored, "--batch-size", "1", "--epochs", "1", "--resume", "\(dir)/c.safetensors",
        ])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resumed from"), resumed.stdout)

        // With one step an epoch, Ctrl-C stops between epochs.
        let whole = try interruptedTraining(
            [
                file, "--data", stored, "--batch-size", "64", "--epochs", "100000", "--checkpoint",
                "\(dir)/w.safetensors",
            ],
            log: "\(dir)/whole.jsonl", after: 10)
        XCTAssertEqual(whole.status, 130, whole.stderr)
        XCTAssertTrue(whole.stderr.contains("stopped after epoch"), whole.stderr)
    }
}
