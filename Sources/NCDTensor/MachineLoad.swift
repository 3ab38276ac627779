import Foundation

/// CPU used on this machine by everything but this process (other processes, and steal by
/// the hypervisor), as peers.py's LoadProbe measures it from /proc/stat.
enum MachineLoad {
    /// Measures from its creation to `foreignLoad()`.
    struct Probe {
        let busy: Double, wall: UInt64, own: Double

        init() {
            busy = MachineLoad.busySeconds()
            wall = BenchmarkTiming.now()
            own = MachineLoad.processSeconds()
        }

        /// Foreign CPU time over the window, in percent of all the machine's CPUs.
        func foreignLoad() -> Double {
            let wallSeconds = BenchmarkTiming.seconds(since: wall)
            guard wallSeconds > 0 else { return 0 }
            let foreign = (MachineLoad.busySeconds() - busy) - (MachineLoad.processSeconds() - own)
            return Swift.max(0, 100 * foreign / (wallSeconds * Double(MachineLoad.cpus)))
        }
    }

    static let cpus = Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    static let ticksPerSecond = Double(Swift.max(1, sysconf(Int32(_SC_CLK_TCK))))

    /// Busy time of the whole machine since boot, in seconds: user, nice, system, irq,
    /// softirq and steal (idle and iowait excluded). 0 where /proc/stat cannot be read.
    static func busySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first
        else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard ticks.count == 8 else { return 0 }
        return (ticks.reduce(0, +) - ticks[3] - ticks[4]) / ticksPerSecond
    }

    /// CPU time this process has used, in seconds.
    static func processSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Waits until two consecutive half-second windows see under 3 % foreign load, or
    /// `limit` seconds have passed; returns the seconds waited.
    static func waitUntilQuiet(atMost limit: Double) -> Double {
        let start = BenchmarkTiming.now()
        var quiet = 0
        while BenchmarkTiming.seconds(since: start) < limit {
            let probe = Probe()
            usleep(500_000)
            quiet = probe.foreignLoad() < 3 ? quiet + 1 : 0
            if quiet >= 2 { break }
        }
        return BenchmarkTiming.seconds(since: start)
    }
}
