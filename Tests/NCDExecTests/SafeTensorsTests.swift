import Foundation
import NCDExec
import NCDTensor
import XCTest

final class SafeTensorsTests: XCTestCase {
    func testRoundTripIsByteStable() throws {
        let tensors = [
            "b.weight": try Tensor<Float>.uniform(shape: [3, 2], seed: 1),
            "a.bias": try Tensor<Float>.uniform(shape: [2], seed: 2),
        ]
        let bytes = try SafeTensors.encode(tensors)
        XCTAssertEqual(try SafeTensors.decode(bytes), tensors)
        XCTAssertEqual(try SafeTensors.encode(tensors), bytes, "the same tensors give the same bytes")
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual((8 + headerLength) % 8, 0, "data starts 8-byte aligned")
    }

    /// A file with one tensor of the given dtype and raw little-endian bytes.
    func file(_ dtype: String, shape: [Int], _ data: [UInt8]) -> [UInt8] {
        let json = Array("{\"t\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[0,\(data.count)]}}".utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + data
    }

    func testReadsF64F16AndBF16() throws {
        let f64 = [2.5, -1.0].flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
        XCTAssertEqual(try SafeTensors.decode(file("F64", shape: [2], f64))["t"]?.storage, [2.5, -1])
        let f16 = [Float16(0.5), Float16(-3)].flatMap { v in
            withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) }
        }
        XCTAssertEqual(try SafeTensors.decode(file("F16", shape: [2], f16))["t"]?.storage, [0.5, -3])
        // bfloat16 is the top half of a float32: 1.5 = 0x3FC0_0000 → 0x3FC0.
        XCTAssertEqual(try SafeTensors.decode(file("BF16", shape: [1], [0xC0, 0x3F]))["t"]?.storage, [1.5])
        // PyTorch writes batch norm's num_batches_tracked as an int64.
        let i64 = [Int64(7), -3].flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        XCTAssertEqual(try SafeTensors.decode(file("I64", shape: [2], i64))["t"]?.storage, [7, -3])
    }

    func testCorruptFilesAreErrors() {
        XCTAssertThrowsError(try SafeTensors.decode([1, 2, 3]))
        XCTAssertThrowsError(try SafeTensors.decode(file("F32", shape: [4], [0, 0, 0, 0])))  // 4 values need 16 bytes
        XCTAssertThrowsError(try SafeTensors.decode(file("I8", shape: [1], [0])))
        XCTAssertThrowsError(try SafeTensors.decode(file("F32", shape: [1 << 40, 1 << 40], [0, 0, 0, 0]))) {
            XCTAssertTrue("\($0)".contains("too large"), "\($0)")
        }
        var huge = file("F32", shape: [1], [0, 0, 0, 0])
        huge[0] = 0xFF
        huge[7] = 0x7F
        XCTAssertThrowsError(try SafeTensors.decode(huge)) {
            XCTAssertTrue("\($0)".contains("at most 100000000 are read"), "\($0)")
        }
        var past = file("F32", shape: [1], [0, 0, 0, 0])
        past[0] = 0xFF
        XCTAssertThrowsError(try SafeTensors.decode(past)) {
            XCTAssertTrue("\($0)".contains("runs past the end"), "\($0)")
        }
    }

    /// A file of several tensors with the given dtype-F32 entries and data length.
    func file(_ entries: [(String, [Int], [Int])], dataBytes: Int) -> [UInt8] {
        let fields = entries.map { "\"\($0.0)\":{\"dtype\":\"F32\",\"shape\":\($0.1),\"data_offsets\":\($0.2)}" }
        let json = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json
            + [UInt8](repeating: 0, count: dataBytes)
    }

    func testTensorsMustTileTheDataWithoutOverlapOrGap() throws {
        XCTAssertEqual(
            try SafeTensors.decode(file([("a", [1], [0, 4]), ("b", [2], [4, 12])], dataBytes: 12)).count, 2)
        XCTAssertThrowsError(try SafeTensors.decode(file([("a", [2], [0, 8]), ("b", [2], [4, 12])], dataBytes: 12))) {
            XCTAssertTrue("\($0)".contains("`b`: its bytes 4..<12 overlap another tensor's"), "\($0)")
        }
        XCTAssertThrowsError(try SafeTensors.decode(file([("a", [1], [0, 4]), ("b", [1], [8, 12])], dataBytes: 12))) {
            XCTAssertTrue("\($0)".contains("leaving bytes 4..<8 unused"), "\($0)")
        }
        XCTAssertThrowsError(try SafeTensors.decode(file([("a", [1], [0, 4])], dataBytes: 12))) {
            XCTAssertTrue("\($0)".contains("end at byte 4 of 12"), "\($0)")
        }
    }

    func testHostileHeadersGiveShortErrors() throws {
        // 100,002 empty entries: refused by count, with a short message.
        let many = file((0...100_001).map { ("t\($0)", [0], [0, 0]) }, dataBytes: 0)
        XCTAssertThrowsError(try SafeTensors.decode(many)) { error in
            XCTAssertTrue("\(error)".contains("at most 100000 tensors"), "\(error)")
            XCTAssertLessThan("\(error)".count, 200)
        }
        // A 10,000-character name is quoted short; an entry without a dtype says so.
        let long = String(repeating: "n", count: 10_000)
        let json = Array("{\"\(long)\":{\"shape\":[1],\"data_offsets\":[0,4]}}".utf8)
        let bytes = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + [0, 0, 0, 0]
        XCTAssertThrowsError(try SafeTensors.decode(bytes)) { error in
            XCTAssertTrue("\(error)".contains("has no dtype"), "\(error)")
            XCTAssertLessThan("\(error)".count, 200)
        }
    }

    func testLoadingChecksNamesAndShapes() throws {
        let e = try executor(
            source: "axis n = 3, m = 2\ndiagram F(x: [n]) -> [m] {\n  return linear[n -> m](x) as L\n}\n", diagram: "F")
        let own = try e.allParameters()
        XCTAssertEqual(own.keys.sorted(), ["L.bias", "L.weight"])
        var wrong = own
        wrong["L.weight"] = try Tensor(shape: [3, 2])
        wrong["stray"] = try Tensor(shape: [1])
        wrong["L.bias"] = nil
        XCTAssertThrowsError(try e.load(wrong)) { error in
            XCTAssertEqual(
                "\(error)",
                "the weights do not match the diagram's parameters (missing: L.bias; not parameters of this diagram: stray; wrong shape: L.weight is [3, 2], expected [2, 3])"
            )
        }
        var replaced = own
        replaced["L.weight"] = try Tensor(shape: [2, 3], repeating: 0.5)
        try e.load(replaced)
        XCTAssertEqual(e.parameters["L.weight"]?.value.storage, [Float](repeating: 0.5, count: 6))
    }

    func testMemoryEstimateCountsBroadcastCopiesAndGradients() throws {
        // Attention over h: the callee's values exist once per head.
        let e = try executor(
            source: """
                axis y = 10, k = 4, h = 3
                diagram A(q: [y, k]) -> [y, y2] {
                  return einsum[y k, y2 k -> y y2](q, rearrange[y -> y2](q))
                }
                axis y2 = 10
                diagram M(q: [y, k, h]) -> [h, y, y2] {
                  return A(q) over h
                }
                """, diagram: "M")
        // M: q (120) + output (300); A per head: q (40) + rearranged (40) + scores (100), × 3 heads.
        let expected = (120 + 300 + 3 * (40 + 40 + 100)) * 4
        XCTAssertEqual(try e.estimatedBytes(withGradients: false), expected)
        XCTAssertEqual(try e.estimatedBytes(withGradients: true), 2 * expected)
    }
}
