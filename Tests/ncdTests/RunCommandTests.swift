import Foundation
import NCDExec
import NCDTensor
import XCTest

/// `ncd run` as a user runs it.
final class RunCommandTests: XCTestCase, RunsNCD {
    func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-run-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    func testRunPrintsOutputsAndWritesGradients() throws {
        let dir = temporaryDirectory()
        let run = try ncd([
            "run", "examples/multihead.ncd", "--size", "ȳ=3", "--size", "x̄=4", "--size", "m=8",
            "--size", "k=2", "--size", "h=2", "--grad", "--out", dir,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("output 1 : [ȳ:3, m:8]  shape 3×8"), run.stdout)
        XCTAssertTrue(run.stdout.contains("∇ Q.weight  2×2×8"), run.stdout)
        let output = try NumPyFile.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/output1.npy"))))
        XCTAssertEqual(output.shape, [3, 8])
        let grad = try NumPyFile.read([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/grad.O.weight.npy"))))
        XCTAssertEqual(grad.shape, [8, 2, 2])
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/grad.input.Y.npy"))
    }

    func testInputsFromFilesAreUsedAndRunsRepeat() throws {
        let input = try temporaryFile("", extension: "npy")
        try Data(NumPyFile.encode(Tensor<Float>.uniform(shape: [3, 4], seed: 9))).write(to: URL(fileURLWithPath: input))
        let source = try temporaryFile(
            "axis n = 3, m = 4, k = 2\ndiagram F(x: [n, m]) -> [n, k] {\n  return linear[m -> k](x)\n}\n")
        let a = try ncd(["run", source, "--input", "x=\(input)", "--seed", "5"])
        let b = try ncd(["run", source, "--input", "x=\(input)", "--seed", "5"])
        let c = try ncd(["run", source, "--input", "x=\(input)", "--seed", "6"])
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertEqual(a.stdout, b.stdout, "the same seed gives the same run")
        XCTAssertNotEqual(a.stdout, c.stdout, "another seed gives other parameters")
    }

    func testFreeSizesAreBoundFromTheInputFiles() throws {
        let source = try temporaryFile(
            "axis b, t, m = 4\ndiagram F(x: [b, t, m], y: [b, m]) -> [b, t] {\n  return sum[m](x) + sum[m](y)\n}\n")
        let (x, y, z) = (
            try temporaryFile("", extension: "npy"), try temporaryFile("", extension: "npy"),
            try temporaryFile("", extension: "npy")
        )
        try Data(NumPyFile.encode(Tensor<Float>.uniform(shape: [2, 5, 4], seed: 1))).write(to: URL(fileURLWithPath: x))
        try Data(NumPyFile.encode(Tensor<Float>.uniform(shape: [2, 4], seed: 2))).write(to: URL(fileURLWithPath: y))
        try Data(NumPyFile.encode(Tensor<Float>.uniform(shape: [3, 4], seed: 3))).write(to: URL(fileURLWithPath: z))
        let run = try ncd(["run", source, "--input", "x=\(x)", "--input", "y=\(y)"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("output 1 : [b, t]  shape 2×5"), run.stdout)
        // Two files that disagree on `b` are refused, naming both.
        let clash = try ncd(["run", source, "--input", "x=\(x)", "--input", "y=\(z)"])
        XCTAssertEqual(clash.status, 64)
        XCTAssertTrue(
            clash.stderr.contains(
                "free size `b` is 2 in \(x) (input `x`, axis 1 `b`) but 3 in \(z) (input `y`, axis 1 `b`)"),
            clash.stderr)
        // An empty file would make a size 0, which --size refuses too.
        let empty = try temporaryFile("", extension: "npy")
        try Data(NumPyFile.encode(Tensor<Float>(shape: [2, 0, 4]))).write(to: URL(fileURLWithPath: empty))
        let zero = try ncd(["run", source, "--input", "x=\(empty)", "--input", "y=\(y)"])
        XCTAssertEqual(zero.status, 64)
        XCTAssertTrue(zero.stderr.contains("free size `t` would be 0 from \(empty)"), zero.stderr)
        // A size no file shows still needs --size.
        let partial = try ncd(["run", source, "--input", "y=\(y)"])
        XCTAssertEqual(partial.status, 64)
        XCTAssertTrue(partial.stderr.contains("`t` must be bound"), partial.stderr)
    }

    /// One error path: the same problem exits the same way from every command.
    func testEveryCommandMapsTheSameErrorToTheSameStatus() throws {
        // An unbound free size is bad input (64) whether running or benchmarking (bench had exited 70).
        for command in ["run", "bench"] {
            let unbound = try ncd([command, "examples/mlp.ncd"])
            XCTAssertEqual(unbound.status, 64, "\(command): \(unbound.stderr)")
            XCTAssertTrue(unbound.stderr.contains("ncd: error: free size `b` must be bound"), unbound.stderr)
        }
        // An unwritable output is bad input (64), for weights and for pictures alike.
        let saved = try ncd(["run", "examples/attention.ncd", "--save-weights", "/no/such/folder/w.safetensors"])
        XCTAssertEqual(saved.status, 64, saved.stderr)
        XCTAssertTrue(saved.stderr.contains("ncd: error: cannot write /no/such/folder/w.safetensors"), saved.stderr)
        // Errors in the file: 65, from check, run, render and bench.
        let bad = try temporaryFile("axis n = 3\ndiagram F(x: [n]) -> [n] {\n  return relu(y)\n}\n")
        for command in [["check"], ["run"], ["render", "-o", NSTemporaryDirectory() + "ncd-never.svg"], ["bench"]] {
            XCTAssertEqual(try ncd(command + [bad]).status, 65, "\(command)")
        }
    }

    func testNonFiniteInputsNameTheFileAndElement() throws {
        let source = try temporaryFile("axis n = 3\ndiagram F(x: [n]) -> [n] {\n  return relu(x)\n}\n")
        let file = try temporaryFile("", extension: "npy")
        try Data(NumPyFile.encode(try Tensor<Float>(shape: [3], [1, .nan, 2]))).write(to: URL(fileURLWithPath: file))
        let run = try ncd(["run", source, "--input", "x=\(file)"])
        XCTAssertEqual(run.status, 64)
        XCTAssertTrue(run.stderr.contains("\(file) (input `x`) holds nan at index [1]"), run.stderr)
    }

    func testBadInputFilesAndSizesAreUsageErrors() throws {
        let source = try temporaryFile(
            "axis n = 3, m = 4, k = 2\ndiagram F(x: [n, m]) -> [n, k] {\n  return linear[m -> k](x)\n}\n")
        let wrongShape = try temporaryFile("", extension: "npy")
        try Data(NumPyFile.encode(Tensor<Float>(shape: [4, 3]))).write(to: URL(fileURLWithPath: wrongShape))
        let shape = try ncd(["run", source, "--input", "x=\(wrongShape)"])
        XCTAssertEqual(shape.status, 64)
        XCTAssertTrue(
            shape.stderr.contains("input `x` should have shape [3, 4] (axes n, m), but the file holds [4, 3]"),
            shape.stderr)
        let truncated = try temporaryFile("", extension: "npy")
        try Data(NumPyFile.encode(Tensor<Float>(shape: [3, 4])).dropLast(5)).write(to: URL(fileURLWithPath: truncated))
        let broken = try ncd(["run", source, "--input", "x=\(truncated)"])
        XCTAssertEqual(broken.status, 64)
        XCTAssertTrue(broken.stderr.contains("not a valid .npy file"), broken.stderr)
        XCTAssertEqual(try ncd(["run", source, "--input", "y=\(truncated)"]).status, 64)
        XCTAssertEqual(try ncd(["run", "examples/mlp.ncd"]).status, 64, "free size b unbound")
        XCTAssertEqual(try ncd(["run", "examples/mlp.ncd", "--size", "b=2", "--diagram", "Nope"]).status, 64)
        XCTAssertEqual(
            try ncd(["run", "examples/composition.ncd", "--diagram", "h"]).status, 64,
            "abstract diagrams have nothing to run")
    }

    func testSavedWeightsReloadToTheSameRun() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // The input is pinned by a file, so only the parameters depend on the seed.
        let input = dir + "/x.npy"
        try Data(NumPyFile.encode(Tensor<Float>.uniform(shape: [2, 4], seed: 3))).write(to: URL(fileURLWithPath: input))
        let common = [
            "run", "examples/residual_mlp.ncd", "--size", "x̄=2", "--size", "m=4", "--size", "d_ff=8", "--input",
            "x=\(input)",
        ]
        let first = try ncd(common + ["--seed", "1", "--save-weights", dir + "/w.safetensors"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let otherSeed = try ncd(common + ["--seed", "7"])
        let reloaded = try ncd(common + ["--seed", "7", "--weights", dir + "/w.safetensors"])
        let line = { (r: Run) in r.stdout.split(separator: "\n").first.map(String.init) ?? "" }
        XCTAssertNotEqual(line(otherSeed), line(first), "another seed gives other parameters")
        XCTAssertEqual(line(reloaded), line(first), "the saved parameters reproduce the first run")
        let mismatched = try ncd([
            "run", "examples/residual_mlp.ncd", "--weights", dir + "/w.safetensors",
            "--size", "x̄=2", "--size", "m=8", "--size", "d_ff=8",
        ])
        XCTAssertEqual(mismatched.status, 64)
        XCTAssertTrue(
            mismatched.stderr.contains("wrong shape: linear1.weight is [8, 4], expected [8, 8]"), mismatched.stderr)
    }

    func testMemoryLimitAndNumericsChecks() throws {
        let big = try ncd(["run", "examples/unet.ncd", "--size", "b=64", "--max-memory", "8G"])
        XCTAssertEqual(big.status, 64)
        XCTAssertTrue(big.stderr.contains("would need about"), big.stderr)
        XCTAssertTrue(big.stderr.contains("over the limit of --max-memory 8G"), big.stderr)
        // The default limit is a share of the memory this process may use, and says so.
        let huge = try ncd(["run", "examples/unet.ncd", "--size", "b=100000"])
        XCTAssertEqual(huge.status, 64)
        XCTAssertTrue(huge.stderr.contains("over the limit of 80 % of the"), huge.stderr)
        // A limit above what the system gives is met by a refusal, not by an abort mid-run.
        let refused = try ncd([
            "run", "examples/mlp.ncd", "--size", "b=1000000000000", "--max-memory", "9223372036854775807",
        ])
        XCTAssertEqual(refused.status, 64)
        XCTAssertTrue(refused.stderr.contains("the system refuses to give this process that much"), refused.stderr)
        // An estimate past 64 bits is refused as such, not saturated into one that passes.
        let overflow = try ncd([
            "run", "examples/mlp.ncd", "--size", "b=4000000000000000000", "--max-memory", "9223372036854775807",
        ])
        XCTAssertEqual(overflow.status, 64)
        XCTAssertTrue(overflow.stderr.contains("would need more than 9223372036854775807 bytes"), overflow.stderr)
        XCTAssertEqual(try ncd(["run", "examples/attention.ncd", "--max-memory", "lots"]).status, 64)
        // Sizes whose products overflow 64 bits are refused, not trapped on.
        let absurd = try ncd(["run", "examples/mlp.ncd", "--size", "b=4611686018427387904"])
        XCTAssertEqual(absurd.status, 64, absurd.stderr)
        XCTAssertEqual(try ncd(["bench", "examples/mlp.ncd", "--size", "b=4611686018427387904"]).status, 64)
        let source = try temporaryFile("axis n = 64\ndiagram F(x: [n]) -> [n] {\n  y = log(x)\n  return relu(y)\n}\n")
        let checked = try ncd(["run", source, "--check-numerics"])
        XCTAssertEqual(checked.status, 70)
        XCTAssertTrue(checked.stderr.contains("\(source):3:7: `log` produced NaN"), checked.stderr)
        XCTAssertEqual(try ncd(["run", source]).status, 0, "without the check, NaN flows through")
    }

    func testCheckErrorsExit65AndUnwritableOutputLeavesNothing() throws {
        let bad = try temporaryFile("axis n = 3\ndiagram F(x: [n]) -> [n] {\n  return relu(y)\n}\n")
        XCTAssertEqual(try ncd(["run", bad]).status, 65)
        let blocker = try temporaryFile("a file where a directory should be", extension: "txt")
        let run = try ncd(["run", "examples/attention.ncd", "--out", blocker + "/out"])
        XCTAssertEqual(run.status, 64, run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: blocker + "/out"))
    }
}

final class BenchCommandTests: XCTestCase, RunsNCD {
    func testBenchPrintsPeersJSON() throws {
        let run = try ncd([
            "bench", "examples/bench/attention.ncd", "--size", "s=16", "--size", "t=16", "--size", "d=8",
            "--budget", "0.05", "--quiet-wait", "0", "--attempts", "1", "--json",
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(json["results"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["variant"] as? String }, ["forward", "fwd_bwd"])
        for row in rows {
            XCTAssertEqual(row["framework"] as? String, "ncd")
            XCTAssertEqual(row["workload"] as? String, "attention")
            XCTAssertGreaterThanOrEqual(row["n"] as? Int ?? 0, 15)
            let (median, low, high) = (
                row["median_ms"] as? Double ?? -1, row["min_ms"] as? Double ?? -1, row["max_ms"] as? Double ?? -1
            )
            XCTAssertTrue(low > 0 && low <= median && median <= high, "\(row)")
            XCTAssertEqual(row["attempts"] as? Int, 1)
            XCTAssertGreaterThanOrEqual(row["ext_cpu_pct"] as? Double ?? -1, 0)
        }
    }

    func testBenchTimesOneVariantWhenAsked() throws {
        let small = [
            "--size", "s=16", "--size", "t=16", "--size", "d=8", "--budget", "0.05", "--quiet-wait", "0", "--attempts",
            "1",
        ]
        let run = try ncd(
            ["bench", "examples/bench/attention.ncd", "--variant", "fwd_bwd", "--input-grad", "--json"] + small)
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(json["results"] as? [[String: Any]])
        XCTAssertEqual(rows.compactMap { $0["variant"] as? String }, ["fwd_bwd"])
        let unknown = try ncd(["bench", "examples/bench/attention.ncd", "--variant", "backward"] + small)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("unknown variant `backward`"), unknown.stderr)
    }

    func testEveryBenchWorkloadChecks() throws {
        for name in ["sgemm", "mlp", "attention", "transformer", "conv"] {
            XCTAssertEqual(try ncd(["check", "examples/bench/\(name).ncd"]).status, 0, name)
        }
    }
}
