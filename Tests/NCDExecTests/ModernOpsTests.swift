import NCDExec
import NCDTensor
import XCTest

/// The constructs of GPT-style models against float64 references written without them:
/// an embedding as a one-hot product, the causal mask as an additive −10⁹ mask, a tied head
/// as the same table used twice, numbers added to arrays.
final class ModernOpsTests: XCTestCase {
    /// Ids as a one-hot `[ids…, vocab]` tensor: the reference reads the table by a product.
    func oneHot(_ ids: Tensor<Float>, vocab: Int) throws -> Tensor<Double> {
        var t = try Tensor<Double>(shape: ids.shape + [vocab])
        for (k, v) in ids.storage.enumerated() { t.storage[k * vocab + Int(v)] = 1 }
        return t
    }

    func testEmbeddingAndTiedHeadAgainstOneHotProducts() throws {
        let e = try executor(
            source: """
                axis b = 2, t = 3, vocab = 5, d = 4
                diagram LM(tokens: int[b, t]) -> [b, t, vocab] {
                  x = embed[vocab -> d](tokens) as wte
                  return linear[d -> vocab, bias=false](tanh(x)) shares wte
                }
                """, diagram: "LM")
        let t = try trace(e)
        XCTAssertTrue(t.inputs[0].storage.allSatisfy { $0 >= 0 && $0 < 5 && $0 == $0.rounded() }, "ids as inputs")
        XCTAssertEqual(e.parameterNames, ["wte.weight"], "the head owns nothing")
        let table = try leaf(t, "wte.weight")
        let x = try einsum(
            [(Variable(oneHot(t.inputs[0], vocab: 5)), ["b", "t", "v"]), (table, ["v", "d"])],
            output: ["b", "t", "d"])
        let logits = try einsum([(x.tanh(), ["b", "t", "d"]), (table, ["v", "d"])], output: ["b", "t", "v"])
        try referenceLoss([logits], t.weights).backward()
        assertAgree(t.outputs[0], logits.value, "logits")
        // Both uses of the table add into its one gradient.
        assertAgree(t.parameterGradients["wte.weight"]!, table.grad!, "∇ wte.weight")
    }

    func testTransposedTieAgainstTheWeightUsedTwice() throws {
        // A tied autoencoder: the decoder h → d reads the encoder's [h, d] weight transposed.
        let e = try executor(
            source: """
                axis b = 2, d = 5, h = 3
                diagram AE(x: [b, d]) -> [b, d] {
                  z = tanh(linear[d -> h, bias=false](x) as encoder)
                  return linear[h -> d, bias=false](z) shares encoder
                }
                """, diagram: "AE")
        let t = try trace(e)
        XCTAssertEqual(e.parameterNames, ["encoder.weight"], "the decoder owns nothing")
        let w = try leaf(t, "encoder.weight")
        let x = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        let z = try einsum([(x, ["b", "d"]), (w, ["h", "d"])], output: ["b", "h"]).tanh()
        let y = try einsum([(z, ["b", "h"]), (w, ["h", "d"])], output: ["b", "d"])
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        // Both uses, one of them transposed, add into the one gradient.
        assertAgree(t.parameterGradients["encoder.weight"]!, w.grad!, "∇ encoder.weight")
        assertAgree(t.inputGradients[0], x.grad!, "∇x")
    }

    func testCausalAttentionAgainstAnAdditiveMask() throws {
        let e = try executor(
            source: """
                axis s = 4, k = 3
                diagram A<q_, k_>(q: [q_, k], keys: [k_, k], v: [k_, k]) -> [q_, k] {
                  scores = einsum[q_ k, k_ k -> q_ k_](q, keys)
                  return einsum[q_ k_, k_ k -> q_ k](softmax[k_](causal[q_ k_](scores)), v)
                }
                diagram Self(x: [s, k], y: [s, k], z: [s, k]) -> [s, k] {
                  return A(x, y, z)
                }
                """, diagram: "Self")
        let t = try trace(e)
        let (q, keys, v) = (
            Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true),
            Variable(try t.inputs[1].converted(to: Double.self), requiresGrad: true),
            Variable(try t.inputs[2].converted(to: Double.self), requiresGrad: true)
        )
        var mask = try Tensor<Double>(shape: [4, 4])
        for i in 0..<4 { for j in 0..<4 where j > i { mask.storage[i * 4 + j] = -1e9 } }
        let scores = try einsum([(q, ["y", "k"]), (keys, ["x", "k"])], output: ["y", "x"]) + Variable(mask)
        let y = try einsum([(try scores.softmax(axis: 1), ["y", "x"]), (v, ["x", "k"])], output: ["y", "k"])
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        for (i, r) in [q, keys, v].enumerated() { assertAgree(t.inputGradients[i], r.grad!, "d input \(i)") }
        // The first query sees only the first key: its output is the first value.
        for j in 0..<3 { XCTAssertEqual(t.outputs[0].storage[j], t.inputs[2].storage[j], accuracy: 1e-6) }
    }

    func testOffsetsAndNewFunctions() throws {
        let e = try executor(
            source: """
                axis n = 5
                diagram G(z: [n], h: [n]) -> [n] {
                  return (1 - z) * silu(h) + z * gelu_tanh(h + 0.5)
                }
                """, diagram: "G")
        let t = try trace(e)
        let (z, h) = (
            Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true),
            Variable(try t.inputs[1].converted(to: Double.self), requiresGrad: true)
        )
        let one = Variable(try Tensor<Double>(shape: [5], repeating: 1))
        let half = Variable(try Tensor<Double>(shape: [5], repeating: 0.5))
        let y = try (try one - z) * h.silu() + (try z * (try h + half).geluTanh())
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        assertAgree(t.inputGradients[0], z.grad!, "dz")
        assertAgree(t.inputGradients[1], h.grad!, "dh")
    }

    /// A class token that does not carry `b`, concatenated inside a diagram called `over b`:
    /// the checker accepted it and the runtime had failed ("axis 1 is out of range").
    func testConcatOfAnInnerBroadcastArgument() throws {
        let e = try executor(
            source: """
                axis b = 2, one = 1, p = 3, tokens = 4, d = 2
                diagram Prepend(cls: [one, d], seq: [p, d]) -> [tokens, d] {
                  return concat[tokens](rearrange[one -> tokens: 1](cls), rearrange[p -> tokens: p](seq))
                }
                diagram V(seq: [b, p, d]) -> [b, tokens, d] {
                  return Prepend(param[one d, init=normal]() as cls_token, seq) over b
                }
                """, diagram: "V")
        let t = try trace(e)
        let cls = try leaf(t, "cls_token")
        let seq = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        // The reference repeats the token for each b by hand.
        let rows = try (0..<2).map { i in
            try concatenate([cls, try seq.index(axis: 0, i)], axis: 0).reshapedVariable([1, 4, 2])
        }
        let y = try concatenate(rows, axis: 0)
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "output")
        assertAgree(t.parameterGradients["cls_token"]!, cls.grad!, "∇ cls_token, summed over b")
        assertAgree(t.inputGradients[0], seq.grad!, "∇ seq")
    }

    func testIdsOutOfRangeNameTheElement() throws {
        let e = try executor(
            source: """
                axis b = 2, t = 3, vocab = 4, d = 2
                diagram E(tokens: int[b, t]) -> [b, t, d] {
                  return embed[vocab -> d](tokens)
                }
                """, diagram: "E")
        let ids = try Tensor<Float>(shape: [2, 3], [0, 1, 2, 3, 4, 0])
        XCTAssertThrowsError(try e.run([Variable(ids)])) { error in
            XCTAssertTrue(
                "\(error)".contains("the id at [b = 1, t = 1] is 4, out of range for `vocab` of size 4"), "\(error)")
        }
        let huge = try Tensor<Float>(shape: [2, 3], [0, 1, 2, 1e30, 0, 0])
        XCTAssertThrowsError(try e.run([Variable(huge)])) { error in
            XCTAssertTrue("\(error)".contains("1e+30"), "\(error)")
        }
        let fraction = try Tensor<Float>(shape: [2, 3], [0.5, 1, 2, 1, 0, 0])
        XCTAssertThrowsError(try e.run([Variable(fraction)])) { error in
            XCTAssertTrue("\(error)".contains("0.5, not a whole number"), "\(error)")
        }
    }
}

/// One GRU step of examples/gru.ncd against nn.GRU's equations written out in float64.
final class RecurrentCellTests: XCTestCase {
    func testGRUStepAgainstItsEquations() throws {
        let e = try executor(example: "gru.ncd", diagram: "Cell", sizes: ["b": 2, "i": 3, "hd": 4])
        let t = try trace(e)
        let x = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        let h = Variable(try t.inputs[1].converted(to: Double.self), requiresGrad: true)
        let (wi, bi, wh, bh) = (
            try leaf(t, "ih.weight"), try leaf(t, "ih.bias"), try leaf(t, "hh.weight"), try leaf(t, "hh.bias")
        )
        // W[g] is gate g's [hd, in] block of the weight [gate, hd, in]: r, z, n as nn.GRU orders them.
        func gate(_ w: Variable<Double>, _ b: Variable<Double>, _ g: Int, _ v: Variable<Double>) throws -> Variable<
            Double
        > {
            try linear(v, weight: try w.index(axis: 0, g), bias: try b.index(axis: 0, g))
        }
        let r = try (try gate(wi, bi, 0, x) + gate(wh, bh, 0, h)).sigmoid()
        let z = try (try gate(wi, bi, 1, x) + gate(wh, bh, 1, h)).sigmoid()
        let n = try (try gate(wi, bi, 2, x) + (try r * gate(wh, bh, 2, h))).tanh()
        let one = Variable(try Tensor<Double>(shape: z.shape, repeating: 1))
        let next = try (try one - z) * n + (try z * h)
        try referenceLoss([next], t.weights).backward()
        assertAgree(t.outputs[0], next.value, "h'")
        assertAgree(t.inputGradients[0], x.grad!, "∇ x")
        assertAgree(t.inputGradients[1], h.grad!, "∇ h")
        for (name, v) in [("ih.weight", wi), ("ih.bias", bi), ("hh.weight", wh), ("hh.bias", bh)] {
            assertAgree(t.parameterGradients[name]!, v.grad!, "∇ \(name)")
        }
    }
}

/// A state_dict that PyTorch wrote for examples/gpt2.ncd's architecture (by
/// scripts/make-pytorch-fixture, committed as Tests/NCDExecTests/fixtures/gpt2_tiny.*) loads
/// under ncd's names, with PyTorch's shapes, and gives PyTorch's logits and loss.
final class PyTorchStateDictTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fixtures")

    func read(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name))) }

    func testAPyTorchStateDictLoadsAndReproducesTheOutputs() throws {
        let e = try executor(
            example: "gpt2.ncd", diagram: "GPT2",
            sizes: ["b": 2, "t": 4, "vocab": 11, "n_ctx": 6, "d": 8, "heads": 2, "layers": 2])
        let weights = try SafeTensors.decode(try read("gpt2_tiny.safetensors"))
        XCTAssertEqual(weights["h.0.attn.q.weight"]?.shape, [8, 8], "PyTorch's nn.Linear layout")
        try e.load(weights)
        XCTAssertEqual(e.parameters["h.0.attn.q.weight"]?.shape, [2, 4, 8], "ncd's [heads, d_head, d]")
        let tokens = try NumPyFile.read(try read("gpt2_tiny_tokens.npy"))
        let targets = try NumPyFile.read(try read("gpt2_tiny_targets.npy"))
        let outputs = try e.run([Variable(tokens), Variable(targets)])
        let logits = try NumPyFile.read(try read("gpt2_tiny_logits.npy"))
        let loss = try NumPyFile.read(try read("gpt2_tiny_loss.npy"))
        assertAgree(outputs[1].value, try logits.converted(to: Double.self), "logits", tolerance: 1e-5)
        XCTAssertEqual(
            Double(outputs[0].value.storage[0]), Double(loss.storage[0]), accuracy: 1e-5 * Double(loss.storage[0]))
    }

    func testShapesThatMergeNeighbouringAxesHaveOneLayout() {
        XCTAssertTrue(SafeTensorsLayout.same([2, 4, 8], [8, 8]))
        XCTAssertTrue(SafeTensorsLayout.same([8, 8], [2, 4, 8]))
        XCTAssertTrue(SafeTensorsLayout.same([2, 3, 4], [6, 4]))
        XCTAssertTrue(SafeTensorsLayout.same([2, 3, 4], [2, 12]))
        XCTAssertTrue(SafeTensorsLayout.same([1, 5], [5]))
        XCTAssertFalse(SafeTensorsLayout.same([2, 3], [3, 2]), "a transpose is another layout")
        XCTAssertFalse(SafeTensorsLayout.same([2, 3, 4], [8, 3]))
        XCTAssertFalse(SafeTensorsLayout.same([4], [5]))
    }
}

/// `stack` against concatenation by hand.
final class StackTests: XCTestCase {
    func testStackJoinsAlongANewFirstAxis() throws {
        let e = try executor(
            source: """
                axis s = 2, n = 3, m = 2
                diagram S(a: [n, m], b: [m, n]) -> [s, n, m] {
                  return stack[s](a, rearrange[m n -> n m](b))
                }
                """, diagram: "S")
        let t = try trace(e)
        let a = Variable(try t.inputs[0].converted(to: Double.self), requiresGrad: true)
        let b = Variable(try t.inputs[1].converted(to: Double.self), requiresGrad: true)
        let y = try concatenate(
            [try a.reshapedVariable([1, 3, 2]), try b.permuted([1, 0]).reshapedVariable([1, 3, 2])], axis: 0)
        try referenceLoss([y], t.weights).backward()
        assertAgree(t.outputs[0], y.value, "stack")
        assertAgree(t.inputGradients[0], a.grad!, "∇ a")
        assertAgree(t.inputGradients[1], b.grad!, "∇ b")
    }
}

/// `where` against the selection written out, with a broadcast mask and a constant.
final class WhereTests: XCTestCase {
    func testWhereSelectsAndRoutesTheGradient() throws {
        let e = try executor(
            source: """
                axis t = 2, t2 = 3
                diagram M(scores: [t, t2], keep: [t2], other: [t, t2]) -> ([t, t2], [t, t2]) {
                  return where(keep, scores, -1e9), where(keep, scores, other)
                }
                """, diagram: "M")
        let scores = try Tensor<Float>(shape: [2, 3], [1, 2, 3, 4, 5, 6])
        let keep = try Tensor<Float>(shape: [3], [1, 0, 1])
        let other = try Tensor<Float>(shape: [2, 3], [10, 20, 30, 40, 50, 60])
        let (s, o) = (Variable(scores, requiresGrad: true), Variable(other, requiresGrad: true))
        let out = try e.run([s, Variable(keep), o])
        XCTAssertEqual(out[0].value.storage, [1, -1e9, 3, 4, -1e9, 6])
        XCTAssertEqual(out[1].value.storage, [1, 20, 3, 4, 50, 6])
        try (try out[0].sumAll() + out[1].sumAll()).backward()
        XCTAssertEqual(s.grad?.storage, [2, 0, 2, 2, 0, 2], "both selections take the kept scores")
        XCTAssertEqual(o.grad?.storage, [0, 1, 0, 0, 1, 0])
    }
}

/// `gather` inside a diagram called `over` an axis both its arguments carry: each slice of
/// the table is read at its own ids (the checker had accepted it and the runtime failed).
final class DiagonalGatherTests: XCTestCase {
    func testGatherPerSliceOfADiagonalAxis() throws {
        let e = try executor(
            source: """
                axis n = 3, v = 5, d = 4, t = 2
                diagram Inner(tab: [v, d], ids: int[t]) -> [t, d] {
                  return gather[v](tab, ids)
                }
                diagram Outer(tab: [n, v, d], ids: int[n, t]) -> [n, t, d] {
                  return Inner(tab, ids) over n
                }
                """, diagram: "Outer")
        let table = try Tensor<Float>.uniform(shape: [3, 5, 4], seed: 4)
        let ids = try Tensor<Float>(shape: [3, 2], [4, 0, 1, 1, 3, 2])
        let y = try e.run([Variable(table), Variable(ids)])[0].value
        for k in 0..<3 {
            for j in 0..<2 {
                let row = Int(ids.storage[k * 2 + j])
                for c in 0..<4 { XCTAssertEqual(y.storage[(k * 2 + j) * 4 + c], table.storage[(k * 5 + row) * 4 + c]) }
            }
        }
    }
}
