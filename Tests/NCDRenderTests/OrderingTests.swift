import XCTest

@testable import NCDRender

/// The order of wires in each column (crossing reduction), as the layout counts crossings:
/// each pair of wires of two bundles that arrive in the other order than they leave.
final class OrderingTests: XCTestCase {
    /// `c` is used only at the end, by the product drawn above `y`'s second use, so it must
    /// cross the path from `a` once. Where `a` is one wire that costs 2 crossings; where it
    /// has become `q r` (where a one-way barycentre sweep left it) it costs 4. The layout's
    /// order is as good as the best of every order of every column.
    func testAWireUsedOnlyAtTheEndCrossesWhereItIsCheapest() throws {
        let flow = FlowGraph(
            try graph(
                source: """
                    axis p = 2, q = 3, r = 4
                    diagram G(a: [p], c: [q, r]) -> ([q, r], [q, r]) {
                      y = relu(linear[p -> q r](a) + zeros[q r]())
                      return y * c, y
                    }
                    """))
        XCTAssertEqual(flow.crossings(), 2)
        XCTAssertEqual(Self.fewestCrossings(flow), 2)
    }

    /// GPT-2's targets cross the tokens' two wires where they enter (2 × 2), not the
    /// embedded tokens' three later (3 × 2), and then run straight to the loss.
    func testGPT2sTargetsCrossOnlyTheTokens() throws {
        XCTAssertEqual(FlowGraph(try graph(example: "gpt2.ncd")).crossings(), 4)
    }

    /// A copy's branches leave in the order their consumers stand: the LSTM's input copy
    /// sends the loop's branch over the first step's, so nothing crosses.
    func testACopysBranchesLeaveInTheOrderTheirConsumersStand() throws {
        XCTAssertEqual(FlowGraph(try graph(example: "lstm.ncd")).crossings(), 0)
    }

    /// What reads none of the diagram's inputs (ViT's class token and position embedding,
    /// GPT-2's `arange` and the position embedding it indexes) stands in the column just
    /// before its first use, not at the far left with a long wire.
    func testWhatReadsNoInputStandsJustBeforeItsUse() throws {
        for example in ["vit.ncd", "gpt2.ncd", "lstm.ncd"] {
            let flow = FlowGraph(try graph(example: example))
            var sources = 0
            for node in flow.nodes where node.inputs.isEmpty {
                guard case .operation = node.kind, let use = node.outputs.map({ flow.column(ofConsumer: $0) }).min()
                else { continue }
                sources += 1
                XCTAssertEqual(node.column, use - 1, example)
            }
            XCTAssertGreaterThan(sources, 0, example)
        }
    }

    /// The fewest crossings over every order of every column, by trying them all.
    static func fewestCrossings(_ flow: FlowGraph) -> Int {
        func permutations<T>(_ items: [T]) -> [[T]] {
            guard let first = items.first else { return [[]] }
            return permutations(Array(items.dropFirst())).flatMap { rest in
                (0...rest.count).map { i in
                    var p = rest
                    p.insert(first, at: i)
                    return p
                }
            }
        }
        var best = Int.max
        func search(_ columns: [[FlowGraph.Member]], from c: Int) {
            guard c < columns.count else { return best = min(best, flow.crossings(columns)) }
            for order in permutations(columns[c]) {
                var next = columns
                next[c] = order
                search(next, from: c + 1)
            }
        }
        search(flow.columns, from: 1)
        return best
    }
}
