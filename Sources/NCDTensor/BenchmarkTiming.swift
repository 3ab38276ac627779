import Dispatch

/// Times a workload as ../shared/bench/peers.py does, so that the two sets of numbers are
/// comparable: a warm-up (at least `warmup` runs and 0.3 s), then single timed runs until
/// at least `minRuns` runs and `budget` seconds (at most `maxRuns`). Other processes and
/// the hypervisor disturb timings on a shared machine, so each attempt first waits for the
/// machine to be idle, measures the foreign CPU load during its timed window, and up to
/// `attempts` attempts are made while that load is above 3 %; the least disturbed is kept.
public enum BenchmarkTiming {
    /// How to measure; the defaults are peers.py's.
    public struct Settings: Sendable {
        public var budget = 1.5
        public var minRuns = 15
        public var maxRuns = 300
        public var warmup = 5
        public var warmupSeconds = 0.3
        public var attempts = 3
        /// The longest wait for an idle machine before each attempt, in seconds.
        public var quietWait = 60.0
        /// The foreign load, in percent of the machine, below which an attempt is kept.
        public var acceptableLoad = 3.0

        public init() {}
    }

    /// Median, minimum, maximum and mean in milliseconds, the number of timed runs, and how
    /// disturbed the kept attempt was.
    public struct Summary {
        public var median: Double
        public var min: Double
        public var max: Double
        public var mean: Double
        public var count: Int
        /// CPU used by other processes and steal during the kept attempt, in percent.
        public var foreignLoad: Double
        public var attempts: Int
        /// Seconds spent waiting for an idle machine.
        public var quietWaited: Double
    }

    public static func measure(_ settings: Settings = Settings(), _ body: () throws -> Void) rethrows -> Summary {
        let warmStart = now()
        var warm = 0
        while warm < settings.warmup || seconds(since: warmStart) < settings.warmupSeconds {
            try body()
            warm += 1
        }
        var best: (times: [Double], load: Double)?
        var waited = 0.0
        var attempt = 0
        while attempt < Swift.max(1, settings.attempts) {
            attempt += 1
            let wait = MachineLoad.waitUntilQuiet(atMost: settings.quietWait)
            waited += wait
            if wait > 1.5 {
                // Caches and sleeping threads go cold during a long wait.
                for _ in 0..<Swift.max(2, settings.warmup / 2) { try body() }
            }
            var times: [Double] = []
            let probe = MachineLoad.Probe()
            let start = now()
            while times.count < settings.maxRuns
                && (times.count < settings.minRuns || seconds(since: start) < settings.budget)
            {
                let t0 = now()
                try body()
                times.append(Double(now() - t0) / 1e6)
            }
            let load = probe.foreignLoad()
            if best == nil || load < best!.load { best = (times, load) }
            if load < settings.acceptableLoad { break }
        }
        let times = best!.times.sorted()
        // The median as Python's statistics.median takes it (the mean of the middle two).
        let middle = times.count / 2
        let median = times.count % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2
        return Summary(
            median: median, min: times[0], max: times[times.count - 1],
            mean: times.reduce(0, +) / Double(times.count), count: times.count,
            foreignLoad: best!.load, attempts: attempt, quietWaited: waited)
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }
}
