import ArgumentParser
import Foundation
import NCDCheck
import NCDExec
import NCDTensor

/// `ncd bench`: times a diagram forward and forward + backward on ncd's runtime, as
/// ../shared/bench/peers.py times its workloads, and prints the same JSON fields.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time a diagram forward and forward+backward (median of single runs after a warm-up).")

    @OptionGroup var selection: DiagramSelection

    @Option(help: "Threads for the runtime.")
    var threads: Int = 1

    @Option(help: "Seconds of timed runs per variant (at least 15 runs).")
    var budget: Double = 1.5

    @Option(help: "Longest wait, in seconds, for an idle machine before each timed attempt.")
    var quietWait: Double = 60

    @Option(help: "Timed attempts per variant while other load is seen (the least disturbed is kept).")
    var attempts: Int = 3

    @Option(help: "Time only this variant: forward or fwd_bwd.")
    var variant: String?

    @Flag(help: "Differentiate the inputs too in fwd_bwd (PyTorch's requires_grad=True inputs).")
    var inputGrad = false

    @Flag(help: "Print JSON rows as peers.py does.")
    var json = false

    func validate() throws {
        if let variant, !["forward", "fwd_bwd"].contains(variant) {
            throw ValidationError("unknown variant `\(variant)`: use forward or fwd_bwd")
        }
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let loaded = try CheckedDiagramLoader(selection)
        TensorThreads.set(threads)
        do {
            let executor = try Executor(graph: loaded.graph, sizes: [:], seed: 0)
            // Parse, check and lower: what ncd adds before a framework's first step.
            let setupMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            let limit = MemoryGuard.defaultLimit()
            do {
                try MemoryGuard.check(executor, withGradients: true, limit: limit.bytes, reason: limit.reason)
            } catch let error as ExecError {
                throw CLIError.usage("\(error)")
            }
            let inputs = try executor.randomInputs()
            let initStart = DispatchTime.now().uptimeNanoseconds
            _ = try executor.allParameters()
            let initMs = Double(DispatchTime.now().uptimeNanoseconds - initStart) / 1e6
            let workload = URL(fileURLWithPath: selection.file).deletingPathExtension().lastPathComponent
            var rows: [[String: Any]] = []
            func record(_ variant: String, _ body: () throws -> Void) throws {
                guard self.variant == nil || self.variant == variant else { return }
                var settings = BenchmarkTiming.Settings()
                (settings.budget, settings.quietWait, settings.attempts) = (budget, quietWait, attempts)
                let m = try BenchmarkTiming.measure(settings, body)
                rows.append([
                    "framework": "ncd", "workload": workload, "variant": variant, "threads": threads,
                    "median_ms": m.median, "min_ms": m.min, "max_ms": m.max, "mean_ms": m.mean, "n": m.count,
                    "ext_cpu_pct": m.foreignLoad, "attempts": m.attempts, "quiet_wait_s": m.quietWaited,
                ])
                if !json {
                    print(
                        String(
                            format: "%@ %@  %d thr  median %.3f ms  min %.3f  max %.3f  n %d", workload, variant,
                            threads,
                            m.median, m.min, m.max, m.count))
                }
            }
            try record("forward") {
                executor.inference = true
                defer { executor.inference = false }
                _ = try executor.run(inputs.map { Variable($0) })
            }
            try record("fwd_bwd") {
                executor.parameters.values.forEach { $0.zeroGrad() }
                let outputs = try executor.run(inputs.map { Variable($0, requiresGrad: inputGrad) })
                var loss: Variable<Float>?
                for o in outputs {
                    let term = try o.sumAll()
                    loss = try loss.map { try $0 + term } ?? term
                }
                try loss?.backward()
            }
            let last = rows.last?["variant"] as? String ?? "fwd_bwd"
            let step = (rows.last?["median_ms"] as? Double) ?? 1
            if json {
                let data = try JSONSerialization.data(
                    withJSONObject: ["results": rows, "meta": ["setup_ms": setupMs, "parameter_init_ms": initMs]],
                    options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(
                    String(
                        format:
                            "parse + check + lower: %.2f ms once (%.1f %% of one %@ step); initialising the parameters: %.2f ms",
                        setupMs, 100 * setupMs / step, last, initMs))
            }
        }
    }
}
