import NCDCore
import NCDSyntax

/// What a test case's comments say checking must produce. The harness is strict: a comment
/// that looks like a tag (`# word:` or `# expect-…:`) must be one of these, and a diagnostic
/// expectation pins line, column and ID.
///
/// - `# expect-error: LINE:COL ID MESSAGE` / `# expect-warning: LINE:COL ID MESSAGE` — a
///   diagnostic with this ID at this place whose message contains MESSAGE.
/// - `# expect-type: NAME [axes]` (or `int[axes]`) — the value bound to NAME on this line has this type;
///   without NAME, the last value produced on this line.
/// - `# expect-param: DOTTED.NAME [axes]` — the file's last diagram has this parameter.
/// - `# expect-cost: DIAGRAM flops=F params=P` — the diagram's totals.
/// - `# expect-fixit: [LINE] TEXT` — some diagnostic on that line (default: this one) suggests TEXT.
/// - `# size: NAME=N` — check with this size bound.
/// - `# operation-limit: N` — check with this operation budget instead of 250,000.
struct Expectations {
    struct Diagnostic: CustomStringConvertible {
        var severity: Severity
        var line: Int
        var column: Int
        var id: String
        var message: String
        var description: String { "\(severity.rawValue) \(id) at \(line):\(column): \(message)" }
    }

    static let tags = [
        "expect-error", "expect-warning", "expect-type", "expect-param", "expect-cost", "expect-fixit", "size",
        "operation-limit",
    ]

    var diagnostics: [Diagnostic] = []
    var types: [(line: Int, name: String?, type: String)] = []
    var parameters: [(line: Int, name: String, type: String)] = []
    var costs: [(line: Int, diagram: String, flops: String?, params: String?)] = []
    var fixIts: [(line: Int, text: String)] = []
    var sizes: [String: Int] = [:]
    var operationLimit: Int?
    /// Malformed or unknown expectations, each a failure of the case.
    var problems: [String] = []

    init(source: String) {
        for (index, rawLine) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            guard let hash = rawLine.range(of: "# ") else { continue }
            let comment = rawLine[hash.upperBound...]
            guard let colon = comment.firstIndex(of: ":") else { continue }
            let tag = String(comment[..<colon])
            // Prose comments are words; a tag is one lower-case word, maybe hyphenated.
            guard tag.allSatisfy({ $0.isLowercase || $0 == "-" || $0 == "_" }), !tag.isEmpty else { continue }
            let rest = comment[comment.index(after: colon)...].trimmingCharacters(in: " ")
            switch tag {
            case "expect-error": diagnostic(.error, rest, line)
            case "expect-warning": diagnostic(.warning, rest, line)
            case "expect-type":
                if rest.hasPrefix("[") || rest.hasPrefix("int[") {
                    types.append((line, nil, rest))
                } else {
                    let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
                    types.append((line, parts.first ?? "", parts.count > 1 ? parts[1] : ""))
                }
            case "expect-param":
                let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
                parameters.append((line, parts.first ?? "", parts.count > 1 ? parts[1] : ""))
            case "expect-cost": cost(rest, line)
            case "expect-fixit":
                // `expect-fixit: 6 over b` names line 6; otherwise this line.
                let parts = rest.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2, let target = Int(parts[0]) {
                    fixIts.append((target, parts[1]))
                } else {
                    fixIts.append((line, rest))
                }
            case "size":
                let kv = rest.split(separator: "=").map(String.init)
                if kv.count == 2, let n = Int(kv[1]) {
                    sizes[kv[0]] = n
                } else {
                    problems.append("\(line): bad `# size:` \(rest)")
                }
            case "operation-limit":
                if let n = Int(rest), n > 0 {
                    operationLimit = n
                } else {
                    problems.append("\(line): bad `# operation-limit:` \(rest)")
                }
            default:
                let guess = Suggestions.closest(to: tag, among: Self.tags).map { "; did you mean `\($0)`?" } ?? ""
                problems.append("\(line): unknown tag `\(tag)`\(guess)")
            }
        }
    }

    /// Reads `LINE:COL ID MESSAGE`.
    private mutating func diagnostic(_ severity: Severity, _ text: String, _ line: Int) {
        let parts = text.split(separator: " ", maxSplits: 2).map(String.init)
        let place = parts.first?.split(separator: ":").compactMap { Int($0) } ?? []
        guard parts.count == 3, place.count == 2, parts[0].filter({ $0 == ":" }).count == 1,
            parts[1].count == 4, parts[1].first == (severity == .error ? "E" : "W"),
            parts[1].dropFirst().allSatisfy(\.isNumber)
        else {
            problems.append(
                "\(line): `expect-\(severity.rawValue)` must read LINE:COL \(severity == .error ? "E" : "W")NNN MESSAGE, not `\(text)`"
            )
            return
        }
        diagnostics.append(
            Diagnostic(severity: severity, line: place[0], column: place[1], id: parts[1], message: parts[2]))
    }

    private mutating func cost(_ text: String, _ line: Int) {
        let parts = text.split(separator: " ").map(String.init)
        var fields: [String: String] = [:]
        for p in parts.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, ["flops", "params"].contains(kv[0]) else {
                problems.append("\(line): `expect-cost` takes flops=… and params=…, not `\(p)`")
                continue
            }
            fields[kv[0]] = kv[1]
        }
        if parts.isEmpty || fields.isEmpty { problems.append("\(line): `expect-cost` needs a diagram and a figure") }
        costs.append((line, parts.first ?? "", fields["flops"], fields["params"]))
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
