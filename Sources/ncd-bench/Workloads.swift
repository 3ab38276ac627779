import NCDTensor

/// The five workloads of ../shared/bench/peers.py, built with NCDTensor's API. Each returns
/// closures to time; all data is float32 from fixed seeds.
enum Workloads {
    typealias V = Variable<Float>

    static func parameter(_ shape: [Int], fanIn: Int, seed: UInt64) throws -> V {
        let bound = 1 / Float(fanIn).squareRoot()
        return V(try Tensor.uniform(shape: shape, low: -bound, high: bound, seed: seed), requiresGrad: true)
    }

    /// C = A·B, 1024³, into a preallocated result.
    static func sgemm() throws -> () throws -> Void {
        let n = 1024
        let a = try Tensor<Float>.uniform(shape: [n, n], seed: 1).storage
        let b = try Tensor<Float>.uniform(shape: [n, n], seed: 2).storage
        var c = [Float](repeating: 0, count: n * n)
        return {
            a.withUnsafeBufferPointer { A in
                b.withUnsafeBufferPointer { B in
                    c.withUnsafeMutableBufferPointer { C in
                        Float.gemm(
                            transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: A.baseAddress!, lda: n,
                            b: B.baseAddress!, ldb: n, beta: 0, c: C.baseAddress!, ldc: n)
                    }
                }
            }
        }
    }

    /// x[256, 784] → Linear(784, 512) → ReLU → Linear(512, 10) → cross-entropy; SGD 0.01.
    static func mlp() throws -> (trainStep: () throws -> Void, forward: () throws -> Void) {
        let w1 = try parameter([512, 784], fanIn: 784, seed: 3)
        let b1 = try parameter([512], fanIn: 784, seed: 4)
        let w2 = try parameter([10, 512], fanIn: 512, seed: 5)
        let b2 = try parameter([10], fanIn: 512, seed: 6)
        let x = V(try Tensor.uniform(shape: [256, 784], seed: 7))
        var rng = SplitMix64(seed: 8)
        let labels = (0..<256).map { _ in Int(rng.next() % 10) }
        let sgd = SGD([w1, b1, w2, b2], learningRate: 0.01)
        func loss(_ w1: V, _ b1: V, _ w2: V, _ b2: V) throws -> V {
            try linear(try linear(x, weight: w1, bias: b1).relu(), weight: w2, bias: b2).crossEntropy(
                classAxis: 1, targets: labels)
        }
        let frozen = [w1, b1, w2, b2].map { V($0.value) }
        return (
            {
                sgd.zeroGrad()
                try loss(w1, b1, w2, b2).backward()
                try sgd.step()
            },
            {
                _ = try loss(frozen[0], frozen[1], frozen[2], frozen[3])
            }
        )
    }

    /// x[256, 128]; Q, K, V = Linear(128, 128)(x); softmax(Q·Kᵀ/√128)·V; loss = sum.
    static func attention() throws -> (forward: () throws -> Void, forwardBackward: () throws -> Void) {
        let ws = try (0..<3).map { try parameter([128, 128], fanIn: 128, seed: 10 + UInt64($0)) }
        let bs = try (0..<3).map { try parameter([128], fanIn: 128, seed: 20 + UInt64($0)) }
        let data = try Tensor<Float>.uniform(shape: [256, 128], seed: 9)
        func run(_ x: V, _ ws: [V], _ bs: [V]) throws -> V {
            let q = try linear(x, weight: ws[0], bias: bs[0])
            let k = try linear(x, weight: ws[1], bias: bs[1])
            let v = try linear(x, weight: ws[2], bias: bs[2])
            let p = try einsum(
                [(q, ["s", "d"]), (k, ["t", "d"])], output: ["s", "t"], scale: 1 / Float(128).squareRoot()
            ).softmax(axis: 1)
            return try einsum([(p, ["s", "t"]), (v, ["t", "d"])], output: ["s", "d"])
        }
        let frozenW = ws.map { V($0.value) }
        let frozenB = bs.map { V($0.value) }
        return (
            {
                _ = try run(V(data), frozenW, frozenB)
            },
            {
                (ws + bs).forEach { $0.zeroGrad() }
                try run(V(data, requiresGrad: true), ws, bs).sumAll().backward()
            }
        )
    }

    /// Pre-LN encoder block: batch 8, seq 128, d_model 256, 8 heads of 32, FFN 1024 (ReLU),
    /// one fused QKV weight as in peers.py.
    static func transformer() throws -> (forward: () throws -> Void, forwardBackward: () throws -> Void) {
        let (b, s, d, h, f) = (8, 128, 256, 8, 1024)
        let dh = d / h
        var p: [String: V] = [:]
        p["ln1.w"] = V(try Tensor(shape: [d], repeating: 1), requiresGrad: true)
        p["ln1.b"] = V(try Tensor(shape: [d]), requiresGrad: true)
        p["ln2.w"] = V(try Tensor(shape: [d], repeating: 1), requiresGrad: true)
        p["ln2.b"] = V(try Tensor(shape: [d]), requiresGrad: true)
        p["qkv.w"] = try parameter([3 * d, d], fanIn: d, seed: 30)
        p["qkv.b"] = try parameter([3 * d], fanIn: d, seed: 31)
        p["o.w"] = try parameter([d, d], fanIn: d, seed: 32)
        p["o.b"] = try parameter([d], fanIn: d, seed: 33)
        p["f1.w"] = try parameter([f, d], fanIn: d, seed: 34)
        p["f1.b"] = try parameter([f], fanIn: d, seed: 35)
        p["f2.w"] = try parameter([d, f], fanIn: f, seed: 36)
        p["f2.b"] = try parameter([d], fanIn: f, seed: 37)
        let data = try Tensor<Float>.uniform(shape: [b, s, d], seed: 38)
        func block(_ x: V, _ p: [String: V]) throws -> V {
            // q, k and v from the fused weight's three row blocks: slicing the weight (and
            // scattering its gradient) moves 3·d² numbers, slicing the activations 3·b·s·d.
            let n = try layerNorm(x, weight: p["ln1.w"]!, bias: p["ln1.b"]!)
            func project(_ i: Int) throws -> V {
                let w = try p["qkv.w"]!.slice(axis: 0, start: i * d, end: (i + 1) * d)
                let bias = try p["qkv.b"]!.slice(axis: 0, start: i * d, end: (i + 1) * d)
                return try linear(n, weight: w, bias: bias).reshapedVariable([b, s, h, dh])
            }
            let (q, k, v) = (try project(0), try project(1), try project(2))
            let scores = try einsum(
                [(q, ["b", "s", "h", "d"]), (k, ["b", "t", "h", "d"])], output: ["b", "h", "s", "t"],
                scale: 1 / Float(dh).squareRoot())
            let weights = try scores.softmax(axis: 3)
            let a = try einsum(
                [(weights, ["b", "h", "s", "t"]), (v, ["b", "t", "h", "d"])], output: ["b", "s", "h", "d"]
            )
            .reshapedVariable([b, s, d])
            let x1 = try x + linear(a, weight: p["o.w"]!, bias: p["o.b"]!)
            let ff = try linear(
                try linear(
                    try layerNorm(x1, weight: p["ln2.w"]!, bias: p["ln2.b"]!), weight: p["f1.w"]!, bias: p["f1.b"]!
                ).relu(),
                weight: p["f2.w"]!, bias: p["f2.b"]!)
            return try x1 + ff
        }
        let frozen = p.mapValues { V($0.value) }
        return (
            {
                _ = try block(V(data), frozen)
            },
            {
                p.values.forEach { $0.zeroGrad() }
                try block(V(data, requiresGrad: true), p).sumAll().backward()
            }
        )
    }

    /// x[16, 3, 32, 32] → Conv2d(3, 32, 3, padding 1) → ReLU → MaxPool2d(2); x needs no grad.
    static func conv() throws -> (forward: () throws -> Void, forwardBackward: () throws -> Void) {
        let w = try parameter([32, 3, 3, 3], fanIn: 27, seed: 40)
        let bias = try parameter([32], fanIn: 27, seed: 41)
        let x = V(try Tensor.uniform(shape: [16, 3, 32, 32], seed: 42))
        func run(_ w: V, _ bias: V) throws -> V {
            try x.conv2d(weight: w, bias: bias, WindowSpec(kernel: 3, padding: 1)).relu().maxPool2d(
                WindowSpec(kernel: 2, stride: 2))
        }
        let (fw, fb) = (V(w.value), V(bias.value))
        return (
            {
                _ = try run(fw, fb)
            },
            {
                w.zeroGrad()
                bias.zeroGrad()
                try run(w, bias).sumAll().backward()
            }
        )
    }
}
