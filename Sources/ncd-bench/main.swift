// The runtime benchmark: `swift run -c release ncd-bench --threads 1,2 [--json] [--only NAME]
// [--variant NAME] [--budget S] [--quiet-wait S] [--attempts N]`; `ncd-bench --link` prints
// the cores' round-trip time instead (see CoreLink).
//
// Times the five workloads of ../shared/bench/peers.py as it does (BenchmarkTiming: warm-up,
// then single iterations until 15 runs and 1.5 s, on an idle machine) and prints the same
// JSON fields with framework "ncd", so the two files join on (workload, variant, threads).
// Each thread count runs in a fresh child process, as peers.py does.

import Foundation
import NCDTensor

func option(_ name: String) -> String? {
    guard let i = CommandLine.arguments.firstIndex(of: name), i + 1 < CommandLine.arguments.count else { return nil }
    return CommandLine.arguments[i + 1]
}

let threadCounts = (option("--threads") ?? "1").split(separator: ",").compactMap { Int($0) }
let json = CommandLine.arguments.contains("--json")
let only = option("--only")
let onlyVariant = option("--variant")
var settings = BenchmarkTiming.Settings()
settings.budget = Double(option("--budget") ?? "") ?? settings.budget
settings.quietWait = Double(option("--quiet-wait") ?? "") ?? settings.quietWait
settings.attempts = Int(option("--attempts") ?? "") ?? settings.attempts

struct Row: Codable {
    var framework = "ncd"
    var workload: String
    var variant: String
    var threads: Int
    var median_ms: Double
    var min_ms: Double
    var max_ms: Double
    var mean_ms: Double
    var n: Int
    var ext_cpu_pct: Double
    var attempts: Int
    var quiet_wait_s: Double
}

func line(_ r: Row) -> String {
    String(
        format: "ncd  %-12@ %-12@ %d thr  median %8.3f ms  min %8.3f  max %8.3f  n %d  foreign load %.1f %%",
        r.workload, r.variant, r.threads, r.median_ms, r.min_ms, r.max_ms, r.n, r.ext_cpu_pct)
}

func runInThisProcess(threads: Int) throws -> [Row] {
    TensorThreads.set(threads)
    var rows: [Row] = []
    func record(_ workload: String, _ variant: String, _ body: () throws -> Void) throws {
        guard onlyVariant == nil || onlyVariant == variant else { return }
        let m = try BenchmarkTiming.measure(settings, body)
        rows.append(
            Row(
                workload: workload, variant: variant, threads: threads, median_ms: m.median, min_ms: m.min,
                max_ms: m.max, mean_ms: m.mean, n: m.count, ext_cpu_pct: m.foreignLoad, attempts: m.attempts,
                quiet_wait_s: m.quietWaited))
        if !json { print(line(rows.last!)) }
    }
    // A workload is built only when one of its variants is timed.
    func selected(_ workload: String) -> Bool { only == nil || only == workload }
    if selected("sgemm") { try record("sgemm", "1024^3", Workloads.sgemm()) }
    if selected("mlp") {
        let mlp = try Workloads.mlp()
        try record("mlp", "train_step", mlp.trainStep)
        try record("mlp", "forward", mlp.forward)
    }
    let models: [(String, () throws -> (forward: () throws -> Void, forwardBackward: () throws -> Void))] =
        [("attention", Workloads.attention), ("transformer", Workloads.transformer), ("conv", Workloads.conv)]
    for (name, build) in models where selected(name) {
        let model = try build()
        try record(name, "forward", model.forward)
        try record(name, "fwd_bwd", model.forwardBackward)
    }
    return rows
}

/// Resident memory now, from /proc/self/statm, in MiB.
func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return 0 }
    return pages * 4096 / 1_048_576
}

/// The resident high-water mark of this process, in MiB.
func peakMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

if CommandLine.arguments.contains("--link") {
    print(String(format: "%.0f", CoreLink.roundTripNanoseconds()))
    exit(0)
}

if CommandLine.arguments.contains("--memory") {
    // Peak memory of the transformer's forward + backward above what the process held
    // before building it (compare: scripts/peak-memory-torch).
    TensorThreads.set(threadCounts[0])
    let before = residentMiB()
    let step = try Workloads.transformer().forwardBackward
    for _ in 0..<5 { try step() }
    print(
        String(
            format: "ncd transformer fwd_bwd: peak %.1f MiB above the %.1f MiB held before", peakMiB() - before, before)
    )
    exit(0)
}

do {
    var rows: [Row] = []
    if threadCounts.count == 1 || CommandLine.arguments.contains("--child") {
        rows = try runInThisProcess(threads: threadCounts[0])
    } else {
        // A fresh process per thread count, as peers.py runs its frameworks.
        for t in threadCounts {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            var args = [
                "--threads", "\(t)", "--json", "--child", "--budget", "\(settings.budget)",
                "--quiet-wait", "\(settings.quietWait)", "--attempts", "\(settings.attempts)",
            ]
            if let only { args += ["--only", only] }
            if let onlyVariant { args += ["--variant", onlyVariant] }
            process.arguments = args
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let child = try JSONDecoder().decode([String: [Row]].self, from: data)["results"] ?? []
            rows += child
            if !json { child.forEach { print(line($0)) } }
        }
    }
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(["results": rows]), as: UTF8.self))
    }
} catch {
    FileHandle.standardError.write(Data("ncd-bench: \(error)\n".utf8))
    exit(70)
}
