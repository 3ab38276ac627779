import ArgumentParser
import NCDExec

/// `--max-memory`, shared by the commands that run diagrams.
struct MemoryLimit: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Refuse to run if the values would take more than this (e.g. 512M, 8G), estimated before allocating.",
            discussion: "The default is 80 % of the memory this process may use (its cgroup's limit, or the machine's)."
        ))
    var maxMemory: String?

    /// The limit in bytes, and how it was set, for messages.
    func resolved() throws -> (bytes: Int, reason: String) {
        guard let maxMemory else { return MemoryGuard.defaultLimit() }
        guard let bytes = Self.bytes(maxMemory) else {
            throw CLIError.usage("--max-memory takes a size such as 512M or 8G, got `\(maxMemory)`")
        }
        return (bytes, "--max-memory \(maxMemory)")
    }

    /// `512M`, `8G`, `1024` (bytes).
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        if let unit = text.last.flatMap({ units[Character($0.uppercased())] }), let n = Int(text.dropLast()), n > 0 {
            let (v, o) = n.multipliedReportingOverflow(by: unit)
            return o ? nil : v
        }
        return Int(text).flatMap { $0 > 0 ? $0 : nil }
    }
}
