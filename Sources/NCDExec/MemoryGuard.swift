import Foundation
import NCDCore

#if canImport(Glibc)
    import Glibc
#endif

/// Refuses a run that would not fit before anything is allocated: the typed diagram's
/// estimate (in checked arithmetic) against a limit, by default a fraction of the memory
/// this process may use, and then a reservation of that much, which the system may refuse
/// (an address-space limit, no overcommit) with a message instead of a trap mid-run.
public enum MemoryGuard {
    /// The share of the machine's memory a run may take by default.
    public static let defaultShare = 0.8

    /// The memory this process may use: its cgroup's limit when one is set, else the
    /// machine's physical memory. nil when neither can be read.
    public static func machineBytes() -> Int? {
        for path in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let n = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), n > 0, n < Int.max / 2
            {
                return n
            }
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return nil }
        return pages.multipliedReportingOverflow(by: size).overflow ? nil : pages * size
    }

    /// The default limit and how it was chosen, in words.
    public static func defaultLimit() -> (bytes: Int, reason: String) {
        guard let machine = machineBytes() else { return (8 << 30, "8 GiB, as this machine's memory cannot be read") }
        let bytes = Int(Double(machine) * defaultShare)
        return (bytes, "\(Int(defaultShare * 100)) % of the \(formattedBytes(machine)) this process may use")
    }

    /// Checks that a run of `executor` fits: within `limit` (explained by `reason`), and
    /// reservable. Throws ``ExecError/memory(_:)`` saying which, and by how much.
    public static func check(_ executor: Executor, withGradients: Bool, limit: Int, reason: String) throws {
        let estimate = try executor.estimatedBytes(withGradients: withGradients)
        let what =
            "`\(executor.graph.name)` would need about \(formattedBytes(estimate)) of values\(withGradients ? " with gradients" : "")"
        guard estimate <= limit else { throw ExecError.memory("\(what), over the limit of \(reason)") }
        guard canReserve(estimate) else {
            throw ExecError.memory("\(what), and the system refuses to give this process that much")
        }
    }

    /// Whether `bytes` can be had now: allocated and given back at once (untouched, so no
    /// page is faulted in).
    static func canReserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        guard let p = malloc(bytes) else { return false }
        free(p)
        return true
    }
}
