/// Finds the candidate closest to a misspelled name, for "did you mean …?" fix-its.
public enum Suggestions {
    /// The closest candidate within an edit distance that scales with the name's length,
    /// or nil when nothing is close enough to be a plausible typo.
    public static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let limit = max(1, name.count / 3)
        var best: (String, Int)?
        for candidate in candidates where candidate != name {
            let d = distance(name.lowercased(), candidate.lowercased())
            // Underscores and case are cheap mistakes: `dmodel` for `d_model`, `DFF` for `d_ff`.
            let squeezed = distance(
                name.lowercased().filter { $0 != "_" }, candidate.lowercased().filter { $0 != "_" })
            let score = min(d, squeezed)
            if score <= limit, best == nil || score < best!.1 || (score == best!.1 && candidate < best!.0) {
                best = (candidate, score)
            }
        }
        return best?.0
    }

    /// Edit distance between two strings by characters, counting an adjacent swap as one
    /// edit (optimal string alignment): `rwo` is one edit from `row`.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

extension FixIt {
    /// "did you mean `d_model`?" for a misspelled name, replacing it with the closest
    /// candidate; no fix-it when nothing is close. Every did-you-mean in ncd comes from here.
    public static func didYouMean(_ name: String, at range: SourceRange, among candidates: some Sequence<String>)
        -> [FixIt]
    {
        guard let guess = Suggestions.closest(to: name, among: candidates) else { return [] }
        return [FixIt("did you mean `\(guess)`?", range: range, replacement: guess)]
    }
}
