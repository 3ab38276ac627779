/// A multilinear contraction (einsum), with each label's part decided once, here: every
/// consumer (cost, runtime, picture) reads these lists instead of recomputing them.
public struct Contraction: Hashable, Sendable {
    /// Each operand's labels, in the pattern's order.
    public let operands: [[String]]
    /// The output's labels.
    public let output: [String]
    /// Labels written in an operand and absent from the output: summed over.
    public let summed: [String]
    /// Output labels written in exactly one operand: carried through.
    public let kept: [String]
    /// Output labels written in several operands: the operands are joined along them
    /// (the paper's diagonal, as attention's heads).
    public let diagonal: [String]

    public init(operands: [[String]], output: [String]) {
        self.operands = operands
        self.output = output
        var seen: [String] = []
        for label in operands.joined() where !seen.contains(label) { seen.append(label) }
        summed = seen.filter { !output.contains($0) }
        let count = { (label: String) in operands.filter { $0.contains(label) }.count }
        kept = output.filter { count($0) == 1 }
        diagonal = output.filter { count($0) > 1 }
    }

    /// Every distinct label, in order of first appearance.
    public var labels: [String] {
        var seen: [String] = []
        for label in operands.joined() + output where !seen.contains(label) { seen.append(label) }
        return seen
    }
}
