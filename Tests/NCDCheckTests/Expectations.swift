import NCDCore
import NCDSyntax

/// What a test case's comments say checking must produce.
///
/// - `# expect-error: MESSAGE` / `# expect-warning: MESSAGE` — a diagnostic on this line whose
///   message contains MESSAGE; `# expect-error: 4:12 MESSAGE` pins line and column.
/// - `# expect-type: NAME [axes]` — the value bound to NAME on this line has this type;
///   without NAME, the last value produced on this line.
/// - `# expect-param: DOTTED.NAME [axes]` — the file's last diagram has this parameter.
/// - `# expect-cost: DIAGRAM flops=F params=P` — the diagram's totals.
/// - `# expect-fixit: [LINE] TEXT` — some diagnostic on that line (default: this one) suggests TEXT.
/// - `# size: NAME=N` — check with this size bound.
struct Expectations {
    struct Diagnostic: CustomStringConvertible {
        var severity: Severity
        var line: Int
        var column: Int?
        var message: String
        var description: String {
            "\(severity.rawValue) at \(line)\(column.map { ":\($0)" } ?? ""): \(message)"
        }
    }

    var diagnostics: [Diagnostic] = []
    var types: [(line: Int, name: String?, type: String)] = []
    var parameters: [(line: Int, name: String, type: String)] = []
    var costs: [(line: Int, diagram: String, flops: String?, params: String?)] = []
    var fixIts: [(line: Int, text: String)] = []
    var sizes: [String: Int] = [:]

    init(source: String) {
        for (index, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            guard let hash = rawLine.range(of: "# ") else { continue }
            let comment = rawLine[hash.upperBound...]
            func after(_ tag: String) -> String? {
                guard comment.hasPrefix(tag) else { return nil }
                return comment.dropFirst(tag.count).trimmingCharacters(in: " ")
            }
            if let rest = after("expect-error:") {
                diagnostics.append(Self.diagnostic(.error, rest, line))
            } else if let rest = after("expect-warning:") {
                diagnostics.append(Self.diagnostic(.warning, rest, line))
            } else if let rest = after("expect-type:") {
                if rest.hasPrefix("[") {
                    types.append((line, nil, rest))
                } else {
                    let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
                    types.append((line, parts[0], parts.count > 1 ? parts[1] : ""))
                }
            } else if let rest = after("expect-param:") {
                let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
                parameters.append((line, parts[0], parts.count > 1 ? parts[1] : ""))
            } else if let rest = after("expect-cost:") {
                let parts = rest.split(separator: " ").map(String.init)
                let fields = Dictionary(uniqueKeysWithValues: parts.dropFirst().compactMap { p -> (String, String)? in
                    let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                    return kv.count == 2 ? (kv[0], kv[1]) : nil
                })
                costs.append((line, parts.first ?? "", fields["flops"], fields["params"]))
            } else if let rest = after("expect-fixit:") {
                // `expect-fixit: 6 over b` names line 6; otherwise this line.
                let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2, let target = Int(parts[0]) {
                    fixIts.append((target, parts[1]))
                } else {
                    fixIts.append((line, rest))
                }
            } else if let rest = after("size:") {
                let kv = rest.split(separator: "=").map(String.init)
                if kv.count == 2, let n = Int(kv[1]) { sizes[kv[0]] = n }
            }
        }
    }

    /// Parses `4:12 message` or `message`.
    static func diagnostic(_ severity: Severity, _ text: String, _ line: Int) -> Diagnostic {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        if let first = parts.first {
            let numbers = first.split(separator: ":").compactMap { Int($0) }
            if numbers.count == 2, first.filter({ $0 == ":" }).count == 1 {
                return Diagnostic(severity: severity, line: numbers[0], column: numbers[1],
                                  message: parts.count > 1 ? parts[1] : "")
            }
        }
        return Diagnostic(severity: severity, line: line, column: nil, message: text)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
