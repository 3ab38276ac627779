import Foundation
import NCDExec
import NCDTensor
import XCTest

/// `.npz` archives numpy wrote (scripts/make-npz-fixtures), folders of `.npy` files, and
/// every data error a training run can meet, each naming the array.
final class DatasetTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fixtures")
    let limit = 1 << 30

    func testStoredAndDeflatedArchivesReadAlike() throws {
        for name in ["npz_stored.npz", "npz_deflated.npz"] {
            let d = try Dataset.read(fixtures.appendingPathComponent(name).path, byteLimit: limit)
            XCTAssertEqual(d.arrays.map(\.name), ["x", "y"])
            let x = try XCTUnwrap(d["x"])
            XCTAssertEqual(x.tensor.shape, [6, 4])
            XCTAssertEqual(x.tensor.storage, (0..<24).map { Float($0) / 8 })
            XCTAssertEqual(x.kind, .float)
            let y = try XCTUnwrap(d["y"])
            XCTAssertEqual(y.tensor.storage, [3, 1, 4, 1, 5, 9])
            XCTAssertEqual(y.kind, .integer)
            XCTAssertEqual(y.dtype, "<i8")
        }
    }

    func testAFolderOfNpyFilesReadsAsOneDataset() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-data-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try NumPyFile.write(try Tensor(shape: [2, 2], [1, 2, 3, 4]), to: folder.appendingPathComponent("x.npy").path)
        try Data("not an array".utf8).write(to: folder.appendingPathComponent("README"))
        let d = try Dataset.read(folder.path, byteLimit: limit)
        XCTAssertEqual(d.arrays.map(\.name), ["x"])
        XCTAssertEqual(d["x"]?.tensor.storage, [1, 2, 3, 4])
        XCTAssertThrowsError(try Dataset.read(folder.path, byteLimit: 10)) {
            XCTAssertTrue("\($0)".contains("more than"), "\($0)")
        }
    }

    func testDamagedOrMissingFilesAreRefusedWithTheirPath() throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-\(UUID()).npz")
        try Data("PK not really".utf8).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        XCTAssertThrowsError(try Dataset.read(bad.path, byteLimit: limit)) {
            XCTAssertTrue("\($0)".contains("is not a .npz file"), "\($0)")
        }
        XCTAssertThrowsError(try Dataset.read("/nonexistent/data.npz", byteLimit: limit)) {
            XCTAssertTrue("\($0)".contains("no such file"), "\($0)")
        }
        // A truncated archive: the central directory is gone.
        let whole = try Data(contentsOf: fixtures.appendingPathComponent("npz_deflated.npz"))
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-\(UUID()).npz")
        try whole.prefix(whole.count / 2).write(to: cut)
        defer { try? FileManager.default.removeItem(at: cut) }
        XCTAssertThrowsError(try Dataset.read(cut.path, byteLimit: limit))
        // One byte of an array's data changed: its CRC-32 no longer matches, as numpy finds.
        var flipped = try Data(contentsOf: fixtures.appendingPathComponent("npz_stored.npz"))
        let at = try XCTUnwrap(flipped.range(of: Data("NUMPY".utf8))).upperBound + 120
        flipped[at] ^= 0x40
        let damaged = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-\(UUID()).npz")
        try flipped.write(to: damaged)
        defer { try? FileManager.default.removeItem(at: damaged) }
        XCTAssertThrowsError(try Dataset.read(damaged.path, byteLimit: limit)) {
            XCTAssertTrue("\($0)".contains("`x.npy` cannot be read: it is damaged"), "\($0)")
        }
        // An archive larger than the limit is refused before it is inflated.
        XCTAssertThrowsError(try Dataset.read(fixtures.appendingPathComponent("npz_stored.npz").path, byteLimit: 100))
    }

    func bind(_ arrays: [Dataset.Array]) throws -> TrainingData {
        try TrainingData(Dataset(path: "d.npz", arrays: arrays), for: try graph(classifierSource, "Net"))
    }

    func float(_ name: String, _ shape: [Int]) throws -> Dataset.Array {
        Dataset.Array(name: name, tensor: try Tensor(shape: shape), kind: .float, dtype: "<f4")
    }

    func labels(_ values: [Float], kind: NumPyFile.ElementKind = .integer) throws -> Dataset.Array {
        Dataset.Array(name: "y", tensor: try Tensor(shape: [values.count], values), kind: kind, dtype: "<i8")
    }

    func assertRefused(_ arrays: @autoclosure () throws -> [Dataset.Array], _ message: String, line: UInt = #line)
        throws
    {
        XCTAssertThrowsError(try bind(arrays()), line: line) { error in
            guard case ExecError.input(let text) = error else { return XCTFail("\(error)", line: line) }
            XCTAssertTrue(text.contains(message), "\(text)", line: line)
        }
    }

    func testEveryDataErrorNamesTheArray() throws {
        let good = try bind([float("x", [3, 4]), try labels([0, 1, 2])])
        XCTAssertEqual(good.count, 3)
        try assertRefused([float("x", [3, 4])], "has no array `y` for the input `y: int[b]`; it holds x")
        try assertRefused(
            [float("x", [3, 4]), try labels([0, 1])], "different numbers of examples along `b`: `x` 3, `y` 2")
        try assertRefused([float("x", [3, 4, 1]), try labels([0, 1, 2])], "array `x` has 3 axes [3, 4, 1]")
        try assertRefused([float("x", [3, 5]), try labels([0, 1, 2])], "`f`")
        try assertRefused([float("x", [3, 4]), try labels([0, 1, 2], kind: .float)], "`y` holds ids")
        try assertRefused(
            [float("x", [3, 4]), try labels([0, 3, 2])], "holds 3 at position 1, but its ids must lie in 0 to 2")
        try assertRefused(
            [
                Dataset.Array(name: "x", tensor: Tensor(shape: [3, 4]), kind: .integer, dtype: "<i8"),
                try labels([0, 1, 2]),
            ],
            "array `x` is <i8, but the input `x` takes real values")
        try assertRefused([float("x", [0, 4]), try labels([])], "holds no examples")
        // A label too large for an Int is reported, not a trap.
        try assertRefused([float("x", [1, 4]), try labels([1e20])], "holds 1e+20 at position 0")
    }
}
