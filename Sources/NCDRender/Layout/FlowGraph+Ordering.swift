/// The order of each column's members (LAYOUT.md, step 3, crossing reduction): barycentre
/// sweeps left to right and back, keeping the order with the fewest wire crossings. One
/// sweep from the left cannot see where a wire is going: GPT-2's targets, used only by the
/// loss at the far end, stayed between the tokens and their position embeddings, so the
/// whole main line crossed them; a sweep from the right moves them to the top at once.
extension FlowGraph {
    /// How many sweeps back and forth are tried after the first from the left.
    static let sweeps = 4
    /// Pairs of gap members counted, at most, while trying long wires whole.
    static let siftBudget = 20_000_000

    mutating func orderColumns(sink: Int) {
        let last = nodes[sink].column
        columns = Array(repeating: [], count: last + 1)
        for c in 1...last {
            let members = gap(before: c).filter { column(ofConsumer: $0) > c }.map { Member.pass($0) }
            columns[c] = members + nodes.indices.filter { nodes[$0].column == c }.map { .node($0) }
            columns[c] = sortedFromLeft(c, first: true)
        }
        var best = (columns, nodes, crossings())
        for _ in 0..<Self.sweeps where best.2 > 0 {
            for c in stride(from: last - 1, through: 1, by: -1) {
                orderBranches(c)
                columns[c] = sortedFromRight(c)
            }
            for c in 1..<last { columns[c] = sortedFromLeft(c, first: false) }
            let count = crossings()
            if count < best.2 { best = (columns, nodes, count) } else { break }
        }
        (columns, nodes) = (best.0, best.1)
        if best.2 > 0 { siftLongWires() }
        arrivalPosition = [:]
        for c in 1...last {
            for (i, t) in gap(before: c).enumerated() where column(ofConsumer: t) == c { arrivalPosition[t] = i }
        }
    }

    /// The tracks entering column `c` from the left, top to bottom.
    func gap(before c: Int, in columns: [[Member]]? = nil) -> [Int] {
        c == 1 ? inputTracks : (columns ?? self.columns)[c - 1].flatMap(outputs)
    }

    /// Sweeps move one member at a time, and a wire passing many columns is stuck where the
    /// first sweep put it when moving it in any one column only adds crossings. Each such
    /// wire is tried whole along the top and along the bottom of the columns it passes.
    private mutating func siftLongWires() {
        var count = crossings()
        let passed = tracks.indices.map { t in columns.filter { $0.contains(.pass(t)) }.count }
        // Longest first, and only as many as a budget of work allows (each try counts every
        // gap's pairs), so a hostile graph of hundreds of long wires is not quadratic twice.
        let work = max(1, columns.reduce(0) { $0 + $1.count * $1.count })
        let tries = max(0, Self.siftBudget / work / 2)
        let long = tracks.indices.filter { passed[$0] >= 2 }.sorted { passed[$0] > passed[$1] }.prefix(tries)
        for t in long where count > 0 {
            for top in [true, false] {
                var trial = columns
                for c in trial.indices {
                    guard let i = trial[c].firstIndex(of: .pass(t)) else { continue }
                    trial[c].remove(at: i)
                    trial[c].insert(.pass(t), at: top ? 0 : trial[c].count)
                }
                let n = crossings(trial)
                if n < count { (columns, count) = (trial, n) }
            }
        }
    }

    /// Column `c`'s members sorted by the mean position of their inputs in the gap before
    /// it. A member with no inputs goes last on the first sweep (an `arange`, a load) and
    /// keeps its place among the others after.
    private func sortedFromLeft(_ c: Int, first: Bool) -> [Member] {
        let position = Dictionary(uniqueKeysWithValues: gap(before: c).enumerated().map { ($1, Double($0)) })
        let scale = Double(max(position.count, 1)) / Double(max(columns[c].count, 1))
        return sorted(columns[c]) { i, m in
            let keys = inputs(m).compactMap { position[$0] }
            if !keys.isEmpty { return keys.reduce(0, +) / Double(keys.count) }
            return first ? Double(position.count) : Double(i) * scale
        }
    }

    /// A copy's branches carry one value, so they leave in the order their consumers stand
    /// in the next column (an LSTM's input: the branch into the loop above the first step's).
    private mutating func orderBranches(_ c: Int) {
        var place: [Int: Int] = [:]
        for (i, m) in columns[c + 1].enumerated() { for t in inputs(m) { place[t] = i } }
        for case .node(let n) in columns[c] {
            guard case .copy = nodes[n].kind else { continue }
            nodes[n].outputs = nodes[n].outputs.enumerated().sorted {
                (place[$0.element] ?? 0, $0.offset) < (place[$1.element] ?? 0, $1.offset)
            }.map(\.element)
        }
    }

    /// Column `c`'s members sorted by the mean place of their consumers in the next column.
    private func sortedFromRight(_ c: Int) -> [Member] {
        var place: [Int: Double] = [:]
        for (i, m) in columns[c + 1].enumerated() { for t in inputs(m) { place[t] = Double(i) } }
        return sorted(columns[c]) { i, m in
            let keys = outputs(m).compactMap { place[$0] }
            return keys.isEmpty ? Double(i) : keys.reduce(0, +) / Double(keys.count)
        }
    }

    /// Members sorted by a key, stably: equal keys keep their order (at first, passes before
    /// nodes and nodes in source order).
    private func sorted(_ members: [Member], by key: (Int, Member) -> Double) -> [Member] {
        members.enumerated().map { ($0.element, key($0.offset, $0.element), $0.offset) }
            .sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
    }

    /// Wires crossing between the gaps and the columns they enter: two tracks cross when
    /// they arrive in the other order than they leave, each pair of their wires once. A node
    /// takes its inputs in the order they arrive; the outputs' order is fixed.
    func crossings(_ columns: [[Member]]? = nil) -> Int {
        let columns = columns ?? self.columns
        var total = 0
        for c in 1..<columns.count {
            var arrival: [Int: (Int, Int)] = [:]
            for (i, m) in columns[c].enumerated() {
                for (port, t) in inputs(m).enumerated() {
                    if case .node(let n) = m, case .sink = nodes[n].kind {
                        arrival[t] = (i, port)
                    } else {
                        arrival[t] = (i, 0)
                    }
                }
            }
            let gap = gap(before: c, in: columns).map { (arrival[$0]!, max(tracks[$0].axes.count, 1)) }
            for (i, a) in gap.enumerated() {
                for b in gap[(i + 1)...] where b.0 < a.0 { total += a.1 * b.1 }
            }
        }
        return total
    }
}
