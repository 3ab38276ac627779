import Dispatch

/// Times a workload as ../shared/bench/peers.py does: a warm-up of at least 3 runs and
/// 0.3 s, then single timed runs until at least 15 runs and `budget` seconds.
public enum BenchmarkTiming {
    /// Median, minimum, maximum and mean in milliseconds, and the number of timed runs.
    public struct Summary {
        public var median: Double
        public var min: Double
        public var max: Double
        public var mean: Double
        public var count: Int
    }

    public static func measure(budget: Double, _ body: () throws -> Void) rethrows -> Summary {
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        let warmStart = now()
        var warm = 0
        while warm < 3 || Double(now() - warmStart) / 1e9 < 0.3 {
            try body()
            warm += 1
        }
        var times: [Double] = []
        let start = now()
        while times.count < 15 || Double(now() - start) / 1e9 < budget, times.count < 10_000 {
            let t0 = now()
            try body()
            times.append(Double(now() - t0) / 1e6)
        }
        times.sort()
        return Summary(median: times[times.count / 2], min: times[0], max: times[times.count - 1],
                       mean: times.reduce(0, +) / Double(times.count), count: times.count)
    }
}
