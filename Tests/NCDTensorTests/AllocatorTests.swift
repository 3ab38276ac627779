import CMalloc
import Foundation
import NCDTensor
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Running out of memory is an error, never a trap: every tensor-sized allocation goes
/// through one allocator, which asks the system first. The tests make the system refuse
/// by lowering this process's address-space limit to a little above what it maps now, and
/// ask for more than the heap holds free (which needs no new address space).
final class AllocatorTests: XCTestCase {
    func testASizeTooLargeToAddressIsAnError() {
        XCTAssertThrowsError(try Tensor<Float>(shape: [1 << 40, 1 << 40])) {
            XCTAssertEqual($0 as? TensorError, .outOfMemory(elements: Int.max, bytes: nil))
        }
        XCTAssertThrowsError(try Tensor<Float>.uniform(shape: [1 << 62, 4], seed: 1))
    }

    func testARefusedTensorIsAnErrorNamingItsSize() throws {
        let n = refusedCount()
        try withAddressSpace {
            XCTAssertThrowsError(try Tensor<Float>(shape: [n])) {
                XCTAssertEqual($0 as? TensorError, .outOfMemory(elements: n, bytes: 4 * n))
                XCTAssertTrue("\($0)".contains("for a tensor of \(n) elements"), "\($0)")
            }
            // Small tensors still come.
            XCTAssertEqual(try Tensor<Float>(shape: [1000]).count, 1000)
        }
        // And the memory is there again once the limit is lifted.
        XCTAssertEqual(try Tensor<Float>(shape: [n], repeating: 2).storage[n - 1], 2)
    }

    func testOperationsForwardAndBackwardThrowWhenTheirResultIsRefused() throws {
        let n = refusedCount()
        let x = Variable(try Tensor<Float>(shape: [n], repeating: 0.5), requiresGrad: true)
        let y = Variable(try Tensor<Float>(shape: [n], repeating: 2))
        try withAddressSpace {
            for (name, op) in [
                ("exp", { try x.exp() }), ("relu", { try x.relu() }), ("add", { try x + y }),
                ("scale", { try x.scaled(by: 3) }), ("sum of a product", { try (x * y).sumAll() }),
            ] as [(String, () throws -> Variable<Float>)] {
                XCTAssertThrowsError(try op(), name) { error in
                    XCTAssertEqual(error as? TensorError, .outOfMemory(elements: n, bytes: 4 * n), name)
                }
            }
        }
        // The forward pass fits, its backward does not: the sum's gradient is refused.
        let loss = try x.sumAll()
        try withAddressSpace {
            XCTAssertThrowsError(try loss.backward()) {
                XCTAssertEqual($0 as? TensorError, .outOfMemory(elements: n, bytes: 4 * n))
            }
        }
    }

    func testARefusedOptimizerStepChangesNothing() throws {
        let n = refusedCount()
        let (p, q) = (
            Variable(try Tensor<Float>(shape: [4], repeating: 1), requiresGrad: true),
            Variable(try Tensor<Float>(shape: [n], repeating: 1), requiresGrad: true)
        )
        try (p.sumAll() + q.sumAll()).backward()
        let adam = Adam([p, q], learningRate: 0.1)
        try withAddressSpace {
            XCTAssertThrowsError(try adam.step())
        }
        // Not even the small parameter, which comes first, was updated.
        XCTAssertEqual(p.value.storage, [1, 1, 1, 1])
        XCTAssertEqual(adam.state.steps, [0, 0])
        try adam.step()
        XCTAssertEqual(adam.state.steps, [1, 1])
        XCTAssertEqual(Double(p.value.storage[0]), 0.9, accuracy: 1e-6)
    }
}

/// More floats than the heap holds free, so that only new address space could give them.
/// Free memory at the heap's top is given back first, to keep the count small. The margin
/// is over 64 MiB, the most a thread's arena reserves: an arena may grow into its reserved
/// (already mapped) room without new address space, and one did, in a full CI run, when
/// the margin was 16 MiB; no arena but the main one can serve a larger chunk.
func refusedCount() -> Int {
    malloc_trim(0)
    return (freeHeapBytes() + 80 << 20) / 4
}

/// Bytes the allocator holds free in all its arenas, any of which could serve a request
/// without new address space: a thread's arena serves the main thread when the main one
/// cannot. From malloc_info's totals over every arena (fast bins, and the rest with each
/// arena's top), and never less than mallinfo2's count for the main arena.
func freeHeapBytes() -> Int {
    var buffer: UnsafeMutablePointer<CChar>?
    var size = 0
    let main = Int(mallinfo2().fordblks)
    guard let stream = open_memstream(&buffer, &size) else { return main }
    malloc_info(0, stream)
    fclose(stream)
    defer { free(buffer) }
    guard let buffer else { return main }
    let xml = String(cString: buffer)
    // After the last arena come the totals over all of them.
    let totals = xml.components(separatedBy: "</heap>").last ?? ""
    var sum = 0
    for line in totals.split(separator: "\n")
    where line.contains("<total type=\"fast\"") || line.contains("<total type=\"rest\"") {
        if let range = line.range(of: "size=\""), let end = line[range.upperBound...].firstIndex(of: "\"") {
            sum += Int(line[range.upperBound..<end]) ?? 0
        }
    }
    return max(sum, main)
}

/// Runs `body` with this process's address space limited to what it maps now plus
/// `headroom` bytes, then restores the limit.
func withAddressSpace(headroom: Int = 4 << 20, _ body: () throws -> Void) throws {
    let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
    let pages = try XCTUnwrap(statm.split(separator: " ").first.flatMap { Int($0) })
    let mapped = pages * sysconf(Int32(_SC_PAGESIZE))
    let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
    var saved = rlimit()
    XCTAssertEqual(getrlimit(resource, &saved), 0)
    var limited = saved
    limited.rlim_cur = rlim_t(mapped + headroom)
    XCTAssertEqual(setrlimit(resource, &limited), 0)
    defer { _ = setrlimit(resource, &saved) }
    try body()
}
