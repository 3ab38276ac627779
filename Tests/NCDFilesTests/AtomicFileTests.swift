import Foundation
import XCTest

@testable import NCDFiles

/// Files are written whole or not at all, with many writers of one path, and leftovers of
/// killed writes are cleared.
final class AtomicFileTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "ncd-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(AtomicFile.marker) }
    }

    func testAWriteReplacesTheFileWholeAndLeavesNoTemporary() throws {
        let path = folder + "/out.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write(Array(repeating: 7, count: 100_000), to: path)
        XCTAssertEqual(
            FileManager.default.contents(atPath: path).map { [UInt8]($0) }, Array(repeating: 7, count: 100_000))
        XCTAssertEqual(try leftovers(), [])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertNotEqual(mode.map { $0 & 0o044 }, 0, "readable by others as any written file is, not mkstemp's 0600")
    }

    func testManyWritersOfOnePathEndWithOneWholeFile() throws {
        let path = folder + "/same.svg"
        let contents = (0..<8).map { i in [UInt8](repeating: UInt8(i), count: 50_000 + i) }
        DispatchQueue.concurrentPerform(iterations: 64) { k in
            try? AtomicFile.write(contents[k % 8], to: path)
        }
        let final = try XCTUnwrap(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
        XCTAssertTrue(contents.contains(final), "one writer's whole file, \(final.count) bytes")
        XCTAssertEqual(try leftovers(), [])
    }

    func testAFailedWriteLeavesNothing() throws {
        XCTAssertThrowsError(try AtomicFile.write([1], to: folder + "/no/such/folder/x")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(self.folder!)/no/such/folder/x: "), "\(error)")
        }
        XCTAssertEqual(try leftovers(), [])
    }

    func testLeftoversOlderThanADayAreRemovedAndYoungerOnesKept() throws {
        let old = folder + "/.out.bin\(AtomicFile.marker)abc123"
        let young = folder + "/.out.bin\(AtomicFile.marker)def456"
        for p in [old, young] { XCTAssertTrue(FileManager.default.createFile(atPath: p, contents: Data([0]))) }
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -2 * 86400)], ofItemAtPath: old)
        try AtomicFile.write([1], to: folder + "/other.bin")
        XCTAssertFalse(FileManager.default.fileExists(atPath: old))
        XCTAssertTrue(FileManager.default.fileExists(atPath: young), "it may belong to a write under way")
    }
}
