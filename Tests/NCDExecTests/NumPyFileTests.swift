import NCDExec
import NCDTensor
import XCTest

final class NumPyFileTests: XCTestCase {
    func testRoundTripAndHeaderAlignment() throws {
        for shape in [[3, 4], [5], [], [2, 1, 3]] {
            let t = try Tensor<Float>.uniform(shape: shape, seed: 1)
            let bytes = NumPyFile.encode(t)
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            XCTAssertEqual((10 + headerLength) % 64, 0, "NumPy aligns the data to 64 bytes")
            XCTAssertEqual(bytes[10 + headerLength - 1], UInt8(ascii: "\n"))
            XCTAssertEqual(try NumPyFile.read(bytes), t)
        }
    }

    /// A file as NumPy writes it for `np.array(values, dtype)`.
    func numpy(_ descr: String, _ shape: String, _ body: [UInt8]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + body
    }

    func testReadsFloat64AndIntegers() throws {
        let doubles = [1.5, -2.25].flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        XCTAssertEqual(try NumPyFile.read(numpy("<f8", "(2,)", doubles)).storage, [1.5, -2.25])
        let longs = [Int64(3), 7].flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        XCTAssertEqual(try NumPyFile.read(numpy("<i8", "(1, 2)", longs)).storage, [3, 7])
    }

    func testMalformedFilesAreErrors() throws {
        let good = NumPyFile.encode(try Tensor<Float>(shape: [2, 2], repeating: 1))
        XCTAssertThrowsError(try NumPyFile.read(Array(good.dropLast(3)))) { error in
            XCTAssertTrue("\(error)".contains("bytes follow the header"), "\(error)")
        }
        XCTAssertThrowsError(try NumPyFile.read(Array("not numpy at all".utf8)))
        XCTAssertThrowsError(try NumPyFile.read(Array(good.prefix(12))))
        XCTAssertThrowsError(try NumPyFile.read(numpy(">f4", "(1,)", [0, 0, 0, 0]))) { error in
            XCTAssertTrue("\(error)".contains("dtype >f4"), "\(error)")
        }
        XCTAssertThrowsError(try NumPyFile.read(numpy("<f4", "(-1,)", [])))
    }

    func testAHeaderOverNumPysLimitIsRefusedUnread() {
        // A version-2 header claiming 100 MB: refused from its length alone, as NumPy does.
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
        bytes += withUnsafeBytes(of: UInt32(100_000_000).littleEndian) { Array($0) }
        bytes += Array(repeating: UInt8(ascii: " "), count: 20_000)
        XCTAssertThrowsError(try NumPyFile.read(bytes)) { error in
            XCTAssertTrue("\(error)".contains("at most 10000 are read"), "\(error)")
        }
    }
}
