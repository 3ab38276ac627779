import NCDExec
import NCDTensor
import XCTest

/// Lowered diagrams against computations written by hand with the runtime's primitives in
/// float64: outputs, input gradients and parameter gradients agree to 1e-4 relative.
final class AgreementTests: XCTestCase {
    func testMLP() throws {
        let e = try executor(
            source: """
                axis b = 3, i = 4, h = 5, c = 2
                diagram M(x: [b, i]) -> [b, c] {
                  return softmax[c](linear[h -> c](relu(linear[i -> h](x) as l1)) as l2)
                }
                """, diagram: "M")
        let t = try trace(e)
        let x = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        let (w1, b1, w2, b2) = (
            try leaf(t, "l1.weight"), try leaf(t, "l1.bias"), try leaf(t, "l2.weight"), try leaf(t, "l2.bias")
        )
        let y = try linear(try linear(x, weight: w1, bias: b1).relu(), weight: w2, bias: b2).softmax(axis: 1)
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        assertAgree(t.inputGradients[0], x.grad!, "dx")
        for (name, v) in [("l1.weight", w1), ("l1.bias", b1), ("l2.weight", w2), ("l2.bias", b2)] {
            assertAgree(t.parameterGradients[name]!, v.grad!, name)
        }
    }

    func testScaledDotProductAttentionExample() throws {
        let e = try executor(example: "attention.ncd", diagram: "ScaledDotProduct", sizes: ["ȳ": 5, "x̄": 6, "k": 4])
        let t = try trace(e)
        let (q, k, v) = (
            Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true),
            Variable(try t.inputs[1].converted(to: Double.self), requiresGrad: true),
            Variable(try t.inputs[2].converted(to: Double.self), requiresGrad: true)
        )
        let scores = try einsum([(q, ["y", "k"]), (k, ["x", "k"])], output: ["y", "x"]).scaled(by: 0.5)
        let y = try einsum([(try scores.softmax(axis: 1), ["y", "x"]), (v, ["x", "k"])], output: ["y", "k"])
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        for (i, r) in [q, k, v].enumerated() { assertAgree(t.inputGradients[i], r.grad!, "d input \(i)") }
    }

    func testMultiHeadAttentionHeadByHead() throws {
        // The reference loops over heads with explicit slices: independent of `over`.
        let (heads, dk) = (2, 3)
        let e = try executor(
            example: "multihead.ncd", diagram: "MultiHead", sizes: ["ȳ": 4, "x̄": 5, "m": 6, "k": dk, "h": heads])
        let t = try trace(e)
        let Y = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        let X = Variable(try t.inputs[1].converted(to: Double.self), requiresGrad: true)
        let p = try ["Q", "K", "V", "O"].flatMap { n in
            [(n + ".weight", try leaf(t, n + ".weight")), (n + ".bias", try leaf(t, n + ".bias"))]
        }
        let P = Dictionary(uniqueKeysWithValues: p)
        var out: Variable<Double>?
        for j in 0..<heads {
            // L^Q etc. map m → (k, h): head j's rows are weight[:, j, :].
            func head(_ n: String, _ x: Variable<Double>) throws -> Variable<Double> {
                try linear(
                    x, weight: try P[n + ".weight"]!.index(axis: 1, j), bias: try P[n + ".bias"]!.index(axis: 1, j))
            }
            let q = try head("Q", Y)
            let k = try head("K", X)
            let v = try head("V", X)
            let s = try einsum([(q, ["y", "d"]), (k, ["x", "d"])], output: ["y", "x"]).scaled(
                by: 1 / Double(dk).squareRoot())
            let o = try einsum([(try s.softmax(axis: 1), ["y", "x"]), (v, ["x", "d"])], output: ["y", "d"])
            // L^O maps (k, h) → m: head j's columns are weight[:, :, j].
            let part = try linear(o, weight: try P["O.weight"]!.index(axis: 2, j), bias: nil)
            out = try out.map { try $0 + part } ?? part
        }
        let y = try out! + P["O.bias"]!
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        assertAgree(t.inputGradients[0], Y.grad!, "dY")
        assertAgree(t.inputGradients[1], X.grad!, "dX")
        for (name, v) in p { assertAgree(t.parameterGradients[name]!, v.grad!, name) }
    }

    func testTransformerEncoderLayer() throws {
        let (b, s, d, h, dk, ff) = (2, 3, 8, 2, 4, 16)
        let e = try executor(
            example: "transformer.ncd", diagram: "EncoderLayer",
            sizes: ["b": b, "seq": s, "d_model": d, "heads": h, "d_k": dk, "d_ff": ff])
        let t = try trace(e)
        let x = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        let names = [
            "ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias", "attn.q.weight", "attn.q.bias", "attn.k.weight",
            "attn.k.bias", "attn.v.weight", "attn.v.bias", "attn.o.weight", "attn.o.bias",
            "ffn.linear1.weight", "ffn.linear1.bias", "ffn.linear2.weight", "ffn.linear2.bias",
        ]
        let P = Dictionary(uniqueKeysWithValues: try names.map { ($0, try leaf(t, $0)) })
        func project(_ x: Variable<Double>, _ n: String) throws -> Variable<Double> {
            // d_model → (d_k, heads): weight [d_k, heads, d_model].
            try einsum([(x, ["b", "s", "m"]), (P[n + ".weight"]!, ["k", "h", "m"])], output: ["b", "s", "k", "h"]) + P[
                n + ".bias"]!
        }
        let n1 = try layerNorm(x, weight: P["ln1.weight"]!, bias: P["ln1.bias"]!)
        let q = try project(n1, "attn.q")
        let k = try project(n1, "attn.k")
        let v = try project(n1, "attn.v")
        let scores = try einsum(
            [(q, ["b", "s", "k", "h"]), (k, ["b", "t", "k", "h"])], output: ["b", "h", "s", "t"]
        )
        .scaled(by: 1 / Double(dk).squareRoot())
        let o = try einsum(
            [(try scores.softmax(axis: 3), ["b", "h", "s", "t"]), (v, ["b", "t", "k", "h"])],
            output: ["b", "s", "k", "h"])
        let attended =
            try einsum([(o, ["b", "s", "k", "h"]), (P["attn.o.weight"]!, ["m", "k", "h"])], output: ["b", "s", "m"])
            + P["attn.o.bias"]!
        let h1 = try x + attended
        let n2 = try layerNorm(h1, weight: P["ln2.weight"]!, bias: P["ln2.bias"]!)
        let hidden = try linear(n2, weight: P["ffn.linear1.weight"]!, bias: P["ffn.linear1.bias"]!).relu()
        let y = try h1 + linear(hidden, weight: P["ffn.linear2.weight"]!, bias: P["ffn.linear2.bias"]!)
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        assertAgree(t.inputGradients[0], x.grad!, "dx")
        for n in names { assertAgree(t.parameterGradients[n]!, P[n]!.grad!, n) }
    }
}

final class ConvolutionLoweringTests: XCTestCase {
    func testOneDimensionalConvolutionAgainstLoops() throws {
        // Channel-last on purpose, with the output channel reusing the input's name.
        let e = try executor(
            source: """
                axis b = 2, t = 9, c = 3
                diagram C(x: [b, t, c]) -> [b, t: 5, c: 4] {
                  return conv[c -> c: 4, t, kernel=3, stride=2, padding=1, dilation=1](x) as conv
                }
                """, diagram: "C")
        let x = try e.randomInputs()[0]
        let y = try e.run([Variable(x)])[0].value
        let w = try XCTUnwrap(e.parameters["conv.weight"]?.value)
        let bias = try XCTUnwrap(e.parameters["conv.bias"]?.value)
        XCTAssertEqual(w.shape, [4, 3, 3])
        XCTAssertEqual(y.shape, [2, 5, 4])
        for n in 0..<2 {
            for p in 0..<5 {
                for o in 0..<4 {
                    var total = Double(bias[[o]])
                    for ci in 0..<3 {
                        for k in 0..<3 {
                            let at = p * 2 - 1 + k
                            if at >= 0, at < 9 { total += Double(x[[n, at, ci]]) * Double(w[[o, ci, k]]) }
                        }
                    }
                    XCTAssertEqual(Double(y[[n, p, o]]), total, accuracy: 1e-5)
                }
            }
        }
        let t = try trace(e)
        XCTAssertEqual(t.parameterGradients["conv.weight"]?.shape, [4, 3, 3])
    }
}
