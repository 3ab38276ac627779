import Foundation
import NCDExec
import NCDInterop
import NCDTensor
import XCTest

/// Weights travel ncd → PyTorch → ncd unchanged: one epoch of `ncd train`, the exported
/// module trained one more epoch in PyTorch, and `ncd run --weights` on PyTorch's
/// state_dict computes what PyTorch computes.
final class RoundTripTests: XCTestCase {
    /// The built `ncd` beside the test bundle.
    var ncd: String {
        let candidates =
            Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
            + [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        return candidates.map { $0.appendingPathComponent("ncd").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "ncd"
    }

    func testTrainInNcdThenPyTorchThenRunInNcd() throws {
        let (python, reason) = interopPython()
        guard let python else {
            print("RoundTripTests skipped: \(reason)")
            throw XCTSkip(reason)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-round-trip-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir + "/ncd", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let example = repository.appendingPathComponent("examples/digits.ncd").path
        let data = repository.appendingPathComponent("examples/data/digits-train.npz").path
        func step(_ program: String, _ arguments: [String]) {
            let (status, output) = runProgram(program, arguments)
            XCTAssertEqual(status, 0, "\(program) \(arguments): \(output)")
        }
        step(
            ncd,
            ["train", example, "--data", data, "--epochs", "1", "--no-shuffle", "--save", dir + "/ncd.safetensors"])
        step(ncd, ["export", example, "--to", "torch", "-o", dir + "/digits.py"])
        step(
            python,
            [
                repository.appendingPathComponent("Tests/NCDExportTests/interop/round_trip.py").path,
                dir + "/digits.py", dir + "/ncd.safetensors", data, dir + "/torch.safetensors", dir, dir,
            ])
        step(
            ncd,
            [
                "run", example, "--weights", dir + "/torch.safetensors", "--input", "images=\(dir)/images.npy",
                "--input", "labels=\(dir)/labels.npy", "--out", dir + "/ncd",
            ])
        func tensors(_ path: String) throws -> [String: Tensor<Float>] {
            try SafeTensors.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        }
        let (before, after) = (try tensors(dir + "/ncd.safetensors"), try tensors(dir + "/torch.safetensors"))
        XCTAssertEqual(Set(before.keys), Set(after.keys), "PyTorch's state_dict has ncd's names")
        XCTAssertNotEqual(before["head.weight"]?.storage, after["head.weight"]?.storage, "PyTorch trained")
        XCTAssertEqual(after["features.bn1.num_batches_tracked"]?.storage, [2 * 45], "45 batches in each epoch")
        for name in ["output1.npy", "output2.npy"] {
            let read = { (path: String) in try NumPyFile.read([UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) }
            let (mine, theirs) = (try read(dir + "/ncd/" + name), try read(dir + "/" + name))
            XCTAssertEqual(mine.shape, theirs.shape, name)
            let scale = theirs.storage.map(abs).max() ?? 0
            let worst = zip(mine.storage, theirs.storage).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, 1e-5 * scale + 1e-6, "\(name): \(worst) at scale \(scale)")
        }
    }
}
