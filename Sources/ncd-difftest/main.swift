import Foundation
import NCDDifferential
import NCDInterop

// Differential testing at scale: `ncd-difftest [COUNT] [FIRST-SEED]` (scripts/difftest)
// generates COUNT random programs, runs each in ncd, PyTorch and ONNX Runtime, and checks
// a mutant of each is rejected; prints the counts and every failure, shrunk.
let arguments = CommandLine.arguments.dropFirst().compactMap { UInt64($0) }
let count = arguments.first ?? 1000
let first = arguments.dropFirst().first ?? 0
let (found, reason) = interopPython()
guard let python = found else {
    FileHandle.standardError.write(Data("ncd-difftest: \(reason)\n".utf8))
    exit(64)
}
var totals = DifferentialRun.Report()
let batch: UInt64 = 500
var start = first
while start < first + count {
    let end = min(start + batch, first + count)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-difftest-\(getpid())-\(start)")
    defer { try? FileManager.default.removeItem(at: root) }
    do {
        let report = try DifferentialRun(python: python, root: root).run(seeds: start..<end)
        totals.programs += report.programs
        totals.statements += report.statements
        totals.mutantsRejected += report.mutantsRejected
        totals.operations.merge(report.operations, uniquingKeysWith: +)
        totals.failures += report.failures
        for f in report.failures { print("FAIL \(f)") }
    } catch {
        FileHandle.standardError.write(Data("ncd-difftest: \(error)\n".utf8))
        exit(70)
    }
    try? FileManager.default.removeItem(at: root)
    print(
        "seeds \(first)..<\(end): \(totals.programs) programs (\(totals.statements) statements), \(totals.mutantsRejected) mutants rejected, \(totals.failures.count) failures"
    )
    fflush(stdout)
    start = end
}
let kinds = totals.operations.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
print("operations: " + kinds.joined(separator: ", "))
exit(totals.failures.isEmpty ? 0 : 1)
