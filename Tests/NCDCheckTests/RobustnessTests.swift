import Foundation
import NCDCheck
import NCDSyntax
import XCTest

/// Bad input never traps: seeded random edits of every example, and pathological files.
final class RobustnessTests: XCTestCase {
    /// SplitMix64, so failures reproduce from the printed seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testRandomEditsOfExamplesNeverTrap() throws {
        let dir = ExampleTests.examples
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".ncd") }
            .sorted()
        let pieces = Array(
            "()[]{}<>,:=->+-*/^.. 0 1 99999999999 axis diagram for in over as shares save load return x̄ \u{FF}".utf8)
        var rng = SeededGenerator(state: 2024)
        for file in files {
            let original = [UInt8](try Data(contentsOf: dir.appendingPathComponent(file)))
            for iteration in 0..<60 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...6, using: &rng) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes.remove(at: at)
                    case 1: bytes.insert(pieces.randomElement(using: &rng)!, at: at)
                    default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &rng)))
                    }
                }
                let result = Checker.check(SourceFile(name: "\(file)#\(iteration)", bytes: bytes))
                // Whatever happened, every diagnostic must point inside the file.
                for d in result.diagnostics {
                    XCTAssertLessThanOrEqual(d.range.end, bytes.count, "\(file)#\(iteration): \(d.message)")
                }
            }
        }
    }

    func testPathologicalInputs() {
        let cases: [String] = [
            "", "\n\n\n", "diagram", "diagram D(", "axis", "axis a = ", "axis a = (((", "}}}}", "{{{{",
            "axis a = 2^62 * 2^62",
            "axis a = 4611686018427387904, b = a * 4",
            "axis n = 1\ndiagram D(x: [n]) -> [n] { for i in 1..9223372036854775807 { x = relu(x) } return x }",
            "axis n = 1\ndiagram D(x: [n]) -> [n] { return x[n = -9223372036854775807] }",
            "axis n = 2\ndiagram D(x: [n]) -> [n] { return conv[n -> n, n, kernel=9223372036854775807](x) }",
            "axis n = 2\ndiagram D(x: [n]) -> [n] { return window[n -> k, kernel=2, dilation=4611686018427387904](x) }",
            String(repeating: "axis a = 1\n", count: 3),
            "axis a = 1 ^ 1000000000000000000 - 1",
            "axis h\naxis a = h ^ 1000000000000000000",
            "axis n = 4\ndiagram D(x: [n]) -> [n] { return window[n -> k, kernel=3, dilation=4611686018427387904](x) }",
            "axis n = 4\ndiagram D(x: [n]) -> [n] { return conv_transpose[n -> n, n, kernel=2, padding=4611686018427387904](x) }",
            "axis n = 1\ndiagram D(x: [n]) -> [n] { for i in -9223372036854775807..9223372036854775807 { x = relu(x) } return x }",
            "diagram A(x: [n]) -> [n] { return B(x) }\ndiagram B(x: [n]) -> [n] { return A(x) }\naxis n = 1",
        ]
        for text in cases {
            let result = Checker.check(SourceFile(name: "p", text: text))
            XCTAssertTrue(
                result.hasErrors || text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                "no error for: \(text)")
        }
    }

    func testExponentialCallTreeIsBounded() {
        // Each level calls the next twice: 2^40 operations if unrolled blindly.
        var text = "axis n = 2\ndiagram L0(x: [n]) -> [n] { return relu(x) }\n"
        for i in 1...40 { text += "diagram L\(i)(x: [n]) -> [n] { return L\(i - 1)(L\(i - 1)(x)) }\n" }
        let result = Checker.check(SourceFile(name: "p", text: text), options: CheckOptions(operationLimit: 5_000))
        XCTAssertTrue(
            result.diagnostics.contains { $0.message.contains("more than 5000 operations") },
            "\(result.diagnostics.map(\.message))")
    }
}
