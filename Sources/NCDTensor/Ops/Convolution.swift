/// 2-D convolution and max pooling, fused: the ★ window and the contraction with the
/// kernel are one im2col per image and one gemm (PyTorch's CPU path), rather than a
/// materialised window and a general einsum. Results equal the composition exactly.
extension Variable {
    /// x[N, C, H, W] ★ weight[O, C, k, k] + bias[O] → [N, O, H', W'].
    public func conv2d(weight: Variable, bias: Variable?, _ spec: WindowSpec) throws -> Variable {
        guard value.rank == 4, weight.value.rank == 4, weight.shape[1] == shape[1],
            weight.shape[2] == spec.kernel, weight.shape[3] == spec.kernel
        else {
            throw TensorError.contraction(
                "conv2d: input \(shape) and weight \(weight.shape) do not match kernel \(spec.kernel)")
        }
        if let bias, bias.shape != [weight.shape[0]] { throw TensorError.broadcast(bias.shape, [weight.shape[0]]) }
        let (n, c, h, w, o, k) = (shape[0], shape[1], shape[2], shape[3], weight.shape[0], spec.kernel)
        let (ho, wo) = (spec.outputSize(h), spec.outputSize(w))
        guard ho >= 1, wo >= 1 else { throw TensorError.contraction("a window of \(k) does not fit \(h)×\(w)") }
        let window = ImageWindow(channels: c, height: h, width: w, spec)
        let kk = window.rows
        let p = window.positions
        // Images are independent: im2col and one gemm each, split across threads. Both
        // buffers are first written in the loop, so each thread's images stay in its own
        // cache for the operations after, and for the backward, which splits alike.
        var columns: [T] = []
        let out = try [T](uninitializedCount: n * o * p) { Y in
            columns = try [T](uninitializedCount: n * kk * p) { cols in
                value.storage.withUnsafeBufferPointer { xs in
                    weight.value.storage.withUnsafeBufferPointer { W in
                        Parallel.forEachChunk(n, costPerItem: o * kk * p) { images in
                            for b in images {
                                let base = b * kk * p
                                window.gather(xs.baseAddress! + b * window.imageSize, into: cols.baseAddress! + base)
                                if let bias {
                                    for oc in 0..<o {
                                        for q in 0..<p { Y[(b * o + oc) * p + q] = bias.value.storage[oc] }
                                    }
                                }
                                T.gemm(
                                    transposeA: false, transposeB: false, m: o, n: p, k: kk, alpha: 1,
                                    a: W.baseAddress!, lda: kk,
                                    b: cols.baseAddress! + base, ldb: p, beta: bias == nil ? 0 : 1,
                                    c: Y.baseAddress! + b * o * p, ldc: p)
                            }
                        }
                    }
                }
            }
        }
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        let x = self
        return Variable(Tensor(unchecked: [n, o, ho, wo], out), operation: "conv2d", parents: parents) { g in
            // dW = Σ_b g_b · cols_bᵀ and db = Σ_b Σ_q g_b, as one sum ([dW | db]).
            let sums = try g.storage.withUnsafeBufferPointer { G in
                try columns.withUnsafeBufferPointer { cols in
                    try Self.forEachImage(n, cost: o * kk * p, summing: o * kk + o) { b, dw, _ in
                        T.gemm(
                            transposeA: false, transposeB: true, m: o, n: kk, k: p, alpha: 1,
                            a: G.baseAddress! + b * o * p, lda: p, b: cols.baseAddress! + b * kk * p, ldb: p,
                            beta: 1, c: dw, ldc: kk)
                        if bias != nil {
                            for oc in 0..<o { dw[o * kk + oc] += RowFolds.sum(G.baseAddress! + (b * o + oc) * p, p) }
                        }
                    }
                }
            }
            var dx: Tensor<T>?
            if x.requiresGrad {
                // dcols_b = Wᵀ · g_b, scattered back through the window (col2im).
                let d = try g.storage.withUnsafeBufferPointer { G in
                    try Self.scatterProducts(weight.value.storage, inner: o, G.baseAddress!, images: n, through: window)
                }
                dx = Tensor(unchecked: [n, c, h, w], d)
            }
            return [dx, Tensor(unchecked: weight.shape, Array(sums[..<(o * kk)]))]
                + (bias != nil ? [Tensor(unchecked: [o], Array(sums[(o * kk)...]))] : [])
        }
    }

    /// For each image b: cols = Wᵀ·x_b, with W an [inner, window.rows] matrix and x_b an
    /// [inner, window.positions] slice of `x`, scattered into image b of a zero image
    /// through the window (col2im); the `images` results, one after the other.
    /// Convolution's input gradient and the transposed convolution both are this. Images
    /// are independent and split across threads, each zeroed by the thread that scatters
    /// into it.
    static func scatterProducts(
        _ weight: [T], inner: Int, _ x: UnsafePointer<T>, images n: Int, through window: ImageWindow
    ) throws -> [T] {
        let (rows, p, imageSize) = (window.rows, window.positions, window.imageSize)
        return try [T](uninitializedCount: n * imageSize) { O in
            try weight.withUnsafeBufferPointer { W in
                _ = try Self.forEachImage(n, cost: rows * p * inner, scratch: rows * p) { b, _, cols in
                    T.gemm(
                        transposeA: true, transposeB: false, m: rows, n: p, k: inner, alpha: 1, a: W.baseAddress!,
                        lda: rows,
                        b: x + b * inner * p, ldb: p, beta: 0, c: cols, ldc: p)
                    let image = O.baseAddress! + b * imageSize
                    image.initialize(repeating: 0, count: imageSize)
                    window.scatterAdd(cols, into: image)
                }
            }
        }
    }

    /// The transposed convolution (`torch.nn.ConvTranspose2d`): x[N, C, H, W] with
    /// weight[C, O, k, k] and bias[O] → [N, O, H', W'], H' = (H−1)s − 2p + d(k−1) + 1. It is
    /// the adjoint of `conv2d` in its input: a gemm, then the window's scatter (col2im).
    public func convTranspose2d(weight: Variable, bias: Variable?, _ spec: WindowSpec) throws -> Variable {
        guard value.rank == 4, weight.value.rank == 4, weight.shape[0] == shape[1],
            weight.shape[2] == spec.kernel, weight.shape[3] == spec.kernel
        else {
            throw TensorError.contraction(
                "conv_transpose2d: input \(shape) and weight \(weight.shape) do not match kernel \(spec.kernel)")
        }
        let (n, c, h, w, o, k) = (shape[0], shape[1], shape[2], shape[3], weight.shape[1], spec.kernel)
        let span = spec.dilation * (k - 1) + 1
        let (ho, wo) = (
            (h - 1) * spec.stride - 2 * spec.padding + span, (w - 1) * spec.stride - 2 * spec.padding + span
        )
        guard ho >= 1, wo >= 1, spec.outputSize(ho) == h, spec.outputSize(wo) == w else {
            throw TensorError.contraction("conv_transpose2d: no output size maps back to \(h)×\(w)")
        }
        if let bias, bias.shape != [o] { throw TensorError.broadcast(bias.shape, [o]) }
        // The window runs over the output image; its positions are the input's pixels.
        let window = ImageWindow(channels: o, height: ho, width: wo, spec)
        let (rows, p, outSize) = (window.rows, window.positions, window.imageSize)
        // With W as [C, O·k·k]: out_b = col2im(Wᵀ·x_b), the same product as conv2d's input gradient.
        var out = try value.storage.withUnsafeBufferPointer { X in
            try Self.scatterProducts(weight.value.storage, inner: c, X.baseAddress!, images: n, through: window)
        }
        if let bias {
            for b in 0..<n {
                for oc in 0..<o { for q in 0..<(ho * wo) { out[(b * o + oc) * ho * wo + q] += bias.value.storage[oc] } }
            }
        }
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        let x = self
        return Variable(Tensor(unchecked: [n, o, ho, wo], out), operation: "conv_transpose2d", parents: parents) { g in
            // Per image: im2col of the output gradient, then the two gemms of the adjoint.
            let cost = c * rows * p
            var dx = x.requiresGrad ? try [T](zeros: n * c * p) : []
            let sums = try g.storage.withUnsafeBufferPointer { G in
                try x.value.storage.withUnsafeBufferPointer { X in
                    try weight.value.storage.withUnsafeBufferPointer { W in
                        try dx.withUnsafeMutableBufferPointer { DX in
                            try Self.forEachImage(n, cost: cost, summing: c * rows + o, scratch: rows * p) {
                                b, dw, gathered in
                                let image = G.baseAddress! + b * outSize
                                window.gather(image, into: gathered)
                                if x.requiresGrad {
                                    T.gemm(
                                        transposeA: false, transposeB: false, m: c, n: p, k: rows, alpha: 1,
                                        a: W.baseAddress!, lda: rows,
                                        b: gathered, ldb: p, beta: 0, c: DX.baseAddress! + b * c * p, ldc: p)
                                }
                                T.gemm(
                                    transposeA: false, transposeB: true, m: c, n: rows, k: p, alpha: 1,
                                    a: X.baseAddress! + b * c * p, lda: p,
                                    b: gathered, ldb: p, beta: 1, c: dw, ldc: rows)
                                if bias != nil {
                                    for oc in 0..<o { dw[c * rows + oc] += RowFolds.sum(image + oc * ho * wo, ho * wo) }
                                }
                            }
                        }
                    }
                }
            }
            return [
                x.requiresGrad ? Tensor(unchecked: x.shape, dx) : nil,
                Tensor(unchecked: weight.shape, Array(sums[..<(c * rows)])),
            ]
                + (bias != nil ? [Tensor(unchecked: [o], Array(sums[(c * rows)...]))] : [])
        }
    }

    /// Runs `body(b, sum, scratch)` for each of `n` images, in parallel over chunks of
    /// images. `sum` is its chunk's partial of a term of `summing` elements, into which it
    /// may add image b's share (`Parallel.sumOfChunks`; the sum is returned, empty for
    /// `summing` 0). `scratch` is that many elements of the chunk's own, not zeroed.
    static func forEachImage(
        _ n: Int, cost: Int, summing size: Int = 0, scratch: Int = 0,
        _ body: (_ image: Int, _ sum: UnsafeMutablePointer<T>, _ scratch: UnsafeMutablePointer<T>) -> Void
    ) throws -> [T] {
        var scratches = try [T](uninitializedCount: Parallel.chunkCount(n, costPerItem: cost) * scratch) { _ in }
        return try scratches.withUnsafeMutableBufferPointer { scratched in
            try Parallel.sumOfChunks(n, costPerItem: cost, size: size) { index, images, sum in
                for b in images { body(b, sum, scratched.baseAddress! + index * scratch) }
            }
        }
    }

    /// Max pooling over the last two axes; the backward routes each gradient to the
    /// position that held the maximum (the first, on ties, as PyTorch does).
    public func maxPool2d(_ spec: WindowSpec) throws -> Variable {
        guard value.rank >= 2 else { throw TensorError.axis(1, rank: value.rank) }
        let (h, w) = (shape[rank - 2], shape[rank - 1])
        let (ho, wo) = (spec.outputSize(h), spec.outputSize(w))
        guard ho >= 1, wo >= 1 else {
            throw TensorError.contraction("a window of \(spec.kernel) does not fit \(h)×\(w)")
        }
        let planes = value.count / Swift.max(h * w, 1)
        // Both are written in full by the loop below, each plane by the thread that pools it.
        var argmax: [Int32] = []
        try TensorMemory.reserve(planes * ho * wo, of: Int32.self)
        let out = try [T](uninitializedCount: planes * ho * wo) { ys in
            argmax = [Int32](unsafeUninitializedCapacity: planes * ho * wo) { arg, initialized in
                initialized = planes * ho * wo
                value.storage.withUnsafeBufferPointer { xs in
                    let k = spec.kernel
                    // Non-overlapping windows inside the image (stride = kernel, no padding or
                    // dilation): every window is in bounds, so no coordinate checks are needed.
                    let tiled = spec.stride == k && spec.padding == 0 && spec.dilation == 1
                    Parallel.forEachChunk(planes, costPerItem: ho * wo * k * k) { chunk in
                        if tiled && k == 2 {
                            // The common 2×2 pool, with selects instead of branches: which of
                            // four values wins is data-dependent, so branches mispredict.
                            for plane in chunk {
                                for oh in 0..<ho {
                                    let r0 = (plane * h + oh * 2) * w
                                    let r1 = r0 + w
                                    let o0 = (plane * ho + oh) * wo
                                    for ow in 0..<wo {
                                        let i = 2 * ow
                                        let a = xs[r0 + i]
                                        let b = xs[r0 + i + 1]
                                        let c = xs[r1 + i]
                                        let d = xs[r1 + i + 1]
                                        let right0 = b > a
                                        let right1 = d > c
                                        let m0 = right0 ? b : a
                                        let m1 = right1 ? d : c
                                        let lower = m1 > m0
                                        ys[o0 + ow] = lower ? m1 : m0
                                        arg[o0 + ow] = Int32(
                                            lower ? r1 + i + (right1 ? 1 : 0) : r0 + i + (right0 ? 1 : 0))
                                    }
                                }
                            }
                            return
                        }
                        if tiled {
                            for plane in chunk {
                                for oh in 0..<ho {
                                    let top = (plane * h + oh * k) * w
                                    for ow in 0..<wo {
                                        var at = top + ow * k
                                        var best = xs[at]
                                        for ki in 0..<k {
                                            let row = top + ki * w + ow * k
                                            for kj in 0..<k where xs[row + kj] > best {
                                                best = xs[row + kj]
                                                at = row + kj
                                            }
                                        }
                                        let o = (plane * ho + oh) * wo + ow
                                        ys[o] = best
                                        arg[o] = Int32(at)
                                    }
                                }
                            }
                            return
                        }
                        for plane in chunk {
                            for oh in 0..<ho {
                                for ow in 0..<wo {
                                    var best = -T.infinity
                                    var at = -1
                                    for ki in 0..<spec.kernel {
                                        let ih = oh * spec.stride - spec.padding + ki * spec.dilation
                                        guard ih >= 0, ih < h else { continue }
                                        for kj in 0..<spec.kernel {
                                            let iw = ow * spec.stride - spec.padding + kj * spec.dilation
                                            guard iw >= 0, iw < w else { continue }
                                            let i = (plane * h + ih) * w + iw
                                            if xs[i] > best || at < 0 {
                                                best = xs[i]
                                                at = i
                                            }
                                        }
                                    }
                                    let o = (plane * ho + oh) * wo + ow
                                    ys[o] = best
                                    arg[o] = Int32(at)
                                }
                            }
                        }
                    }
                }
            }
        }
        var outShape = shape
        outShape[rank - 2] = ho
        outShape[rank - 1] = wo
        return Variable(Tensor(unchecked: outShape, out), operation: "maxpool2d", parents: [self]) {
            [inShape = shape] g in
            // Each plane's maxima lie in its own input plane: planes split across threads as
            // in the forward, each zeroed and scattered into by one thread.
            let dx = try [T](uninitializedCount: planes * h * w) { dx in
                g.storage.withUnsafeBufferPointer { gs in
                    argmax.withUnsafeBufferPointer { arg in
                        Parallel.forEachChunk(planes, costPerItem: h * w + ho * wo) { chunk in
                            let first = dx.baseAddress! + chunk.lowerBound * h * w
                            first.initialize(repeating: 0, count: chunk.count * h * w)
                            for o in (chunk.lowerBound * ho * wo)..<(chunk.upperBound * ho * wo) where arg[o] >= 0 {
                                dx[Int(arg[o])] += gs[o]
                            }
                        }
                    }
                }
            }
            return [Tensor(unchecked: inShape, dx)]
        }
    }
}
