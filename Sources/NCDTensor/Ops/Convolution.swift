/// 2-D convolution and max pooling, fused: the ★ window and the contraction with the
/// kernel are one im2col per image and one gemm (PyTorch's CPU path), rather than a
/// materialised window and a general einsum. Results equal the composition exactly.
extension Variable {
    /// x[N, C, H, W] ★ weight[O, C, k, k] + bias[O] → [N, O, H', W'].
    public func conv2d(weight: Variable, bias: Variable?, _ spec: WindowSpec) throws -> Variable {
        guard value.rank == 4, weight.value.rank == 4, weight.shape[1] == shape[1],
              weight.shape[2] == spec.kernel, weight.shape[3] == spec.kernel else {
            throw TensorError.contraction("conv2d: input \(shape) and weight \(weight.shape) do not match kernel \(spec.kernel)")
        }
        if let bias, bias.shape != [weight.shape[0]] { throw TensorError.broadcast(bias.shape, [weight.shape[0]]) }
        let (n, c, h, w, o, k) = (shape[0], shape[1], shape[2], shape[3], weight.shape[0], spec.kernel)
        let (ho, wo) = (spec.outputSize(h), spec.outputSize(w))
        guard ho >= 1, wo >= 1 else { throw TensorError.contraction("a window of \(k) does not fit \(h)×\(w)") }
        let kk = c * k * k, p = ho * wo
        let source = Self.windowMap(channels: c, height: h, width: w, spec)
        var columns = [T](repeating: 0, count: n * kk * p)
        var out = [T](repeating: 0, count: n * o * p)
        // Images are independent: im2col and one gemm each, split across threads.
        value.storage.withUnsafeBufferPointer { xs in
            weight.value.storage.withUnsafeBufferPointer { W in
                columns.withUnsafeMutableBufferPointer { cols in
                    out.withUnsafeMutableBufferPointer { Y in
                        Parallel.forEachChunk(n, costPerItem: o * kk * p) { images in
                            for b in images {
                                let image = b * c * h * w, base = b * kk * p
                                for j in 0..<(kk * p) where source[j] >= 0 { cols[base + j] = xs[image + Int(source[j])] }
                                if let bias {
                                    for oc in 0..<o { for q in 0..<p { Y[(b * o + oc) * p + q] = bias.value.storage[oc] } }
                                }
                                T.gemm(transposeA: false, transposeB: false, m: o, n: p, k: kk, alpha: 1, a: W.baseAddress!, lda: kk,
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
            var dw = [T](repeating: 0, count: o * kk), db: Tensor<T>?, dx: Tensor<T>?
            g.storage.withUnsafeBufferPointer { G in
                columns.withUnsafeBufferPointer { cols in
                    dw.withUnsafeMutableBufferPointer { DW in
                        // dW = Σ_b g_b · cols_bᵀ
                        for b in 0..<n {
                            T.gemm(transposeA: false, transposeB: true, m: o, n: kk, k: p, alpha: 1,
                                   a: G.baseAddress! + b * o * p, lda: p, b: cols.baseAddress! + b * kk * p, ldb: p,
                                   beta: b == 0 ? 0 : 1, c: DW.baseAddress!, ldc: kk)
                        }
                    }
                }
                if bias != nil {
                    var d = [T](repeating: 0, count: o)
                    for b in 0..<n { for oc in 0..<o { d[oc] += RowFolds.sum(G.baseAddress! + (b * o + oc) * p, p) } }
                    db = Tensor(unchecked: [o], d)
                }
                if x.requiresGrad {
                    // dcols_b = Wᵀ · g_b, scattered back through the window (col2im).
                    var d = [T](repeating: 0, count: n * c * h * w)
                    Self.scatterProducts(weight.value.storage, rows: kk, inner: o, G.baseAddress!, images: n, positions: p,
                                         through: source, into: &d, imageSize: c * h * w)
                    dx = Tensor(unchecked: [n, c, h, w], d)
                }
            }
            return [dx, Tensor(unchecked: weight.shape, dw)] + (bias != nil ? [db] : [])
        }
    }

    /// For each image b: cols = Wᵀ·x_b, with W a [inner, rows] matrix and x_b an [inner,
    /// positions] slice of `x`, scattered into image b of `out` through the window map
    /// (col2im). Convolution's input gradient and the transposed convolution both are this.
    static func scatterProducts(_ weight: [T], rows: Int, inner: Int, _ x: UnsafePointer<T>, images n: Int, positions p: Int,
                                through map: [Int32], into out: inout [T], imageSize: Int) {
        var cols = [T](repeating: 0, count: rows * p)
        weight.withUnsafeBufferPointer { W in
            cols.withUnsafeMutableBufferPointer { C in
                out.withUnsafeMutableBufferPointer { O in
                    for b in 0..<n {
                        T.gemm(transposeA: true, transposeB: false, m: rows, n: p, k: inner, alpha: 1, a: W.baseAddress!, lda: rows,
                               b: x + b * inner * p, ldb: p, beta: 0, c: C.baseAddress!, ldc: p)
                        let image = b * imageSize
                        for j in 0..<(rows * p) where map[j] >= 0 { O[image + Int(map[j])] += C[j] }
                    }
                }
            }
        }
    }

    /// For each (row = (channel, ki, kj), output position) of a k×k window over a
    /// [channels, height, width] image, the offset it reads within the image, or −1 in the
    /// padding: im2col's gather map, and col2im's scatter map.
    static func windowMap(channels c: Int, height h: Int, width w: Int, _ spec: WindowSpec) -> [Int32] {
        let k = spec.kernel, (ho, wo) = (spec.outputSize(h), spec.outputSize(w)), p = ho * wo
        var source = [Int32](repeating: -1, count: c * k * k * p)
        for ci in 0..<c { for ki in 0..<k { for kj in 0..<k {
            let row = (ci * k + ki) * k + kj
            for oh in 0..<ho {
                let ih = oh * spec.stride - spec.padding + ki * spec.dilation
                guard ih >= 0, ih < h else { continue }
                for ow in 0..<wo {
                    let iw = ow * spec.stride - spec.padding + kj * spec.dilation
                    if iw >= 0, iw < w { source[row * p + oh * wo + ow] = Int32((ci * h + ih) * w + iw) }
                }
            }
        } } }
        return source
    }

    /// The transposed convolution (`torch.nn.ConvTranspose2d`): x[N, C, H, W] with
    /// weight[C, O, k, k] and bias[O] → [N, O, H', W'], H' = (H−1)s − 2p + d(k−1) + 1. It is
    /// the adjoint of `conv2d` in its input: a gemm, then the window's scatter (col2im).
    public func convTranspose2d(weight: Variable, bias: Variable?, _ spec: WindowSpec) throws -> Variable {
        guard value.rank == 4, weight.value.rank == 4, weight.shape[0] == shape[1],
              weight.shape[2] == spec.kernel, weight.shape[3] == spec.kernel else {
            throw TensorError.contraction("conv_transpose2d: input \(shape) and weight \(weight.shape) do not match kernel \(spec.kernel)")
        }
        let (n, c, h, w, o, k) = (shape[0], shape[1], shape[2], shape[3], weight.shape[1], spec.kernel)
        let span = spec.dilation * (k - 1) + 1
        let (ho, wo) = ((h - 1) * spec.stride - 2 * spec.padding + span, (w - 1) * spec.stride - 2 * spec.padding + span)
        guard ho >= 1, wo >= 1, spec.outputSize(ho) == h, spec.outputSize(wo) == w else {
            throw TensorError.contraction("conv_transpose2d: no output size maps back to \(h)×\(w)")
        }
        if let bias, bias.shape != [o] { throw TensorError.broadcast(bias.shape, [o]) }
        // The window runs over the output image; its positions are the input's pixels.
        let rows = o * k * k, p = h * w
        let target = Self.windowMap(channels: o, height: ho, width: wo, spec)
        var out = [T](repeating: 0, count: n * o * ho * wo)
        // With W as [C, O·k·k]: out_b = col2im(Wᵀ·x_b), the same product as conv2d's input gradient.
        value.storage.withUnsafeBufferPointer { X in
            Self.scatterProducts(weight.value.storage, rows: rows, inner: c, X.baseAddress!, images: n, positions: p,
                                 through: target, into: &out, imageSize: o * ho * wo)
        }
        if let bias {
            for b in 0..<n { for oc in 0..<o { for q in 0..<(ho * wo) { out[(b * o + oc) * ho * wo + q] += bias.value.storage[oc] } } }
        }
        let parents = [self, weight] + (bias.map { [$0] } ?? [])
        let x = self
        return Variable(Tensor(unchecked: [n, o, ho, wo], out), operation: "conv_transpose2d", parents: parents) { g in
            var dx = [T](repeating: 0, count: n * c * p), dw = [T](repeating: 0, count: c * rows), db = [T](repeating: 0, count: o)
            var gathered = [T](repeating: 0, count: rows * p)
            g.storage.withUnsafeBufferPointer { G in
                x.value.storage.withUnsafeBufferPointer { X in
                    weight.value.storage.withUnsafeBufferPointer { W in
                        for b in 0..<n {
                            // im2col of the output gradient, then the two gemms of the adjoint.
                            let image = b * o * ho * wo
                            for j in 0..<(rows * p) { gathered[j] = target[j] >= 0 ? G[image + Int(target[j])] : 0 }
                            gathered.withUnsafeBufferPointer { C in
                                dx.withUnsafeMutableBufferPointer { DX in
                                    T.gemm(transposeA: false, transposeB: false, m: c, n: p, k: rows, alpha: 1, a: W.baseAddress!, lda: rows,
                                           b: C.baseAddress!, ldb: p, beta: 0, c: DX.baseAddress! + b * c * p, ldc: p)
                                }
                                dw.withUnsafeMutableBufferPointer { DW in
                                    T.gemm(transposeA: false, transposeB: true, m: c, n: rows, k: p, alpha: 1, a: X.baseAddress! + b * c * p, lda: p,
                                           b: C.baseAddress!, ldb: p, beta: b == 0 ? 0 : 1, c: DW.baseAddress!, ldc: rows)
                                }
                            }
                            if bias != nil { for oc in 0..<o { for q in 0..<(ho * wo) { db[oc] += G[image + oc * ho * wo + q] } } }
                        }
                    }
                }
            }
            return [x.requiresGrad ? Tensor(unchecked: x.shape, dx) : nil, Tensor(unchecked: weight.shape, dw)]
                + (bias != nil ? [Tensor(unchecked: [o], db)] : [])
        }
    }

    /// Max pooling over the last two axes; the backward routes each gradient to the
    /// position that held the maximum (the first, on ties, as PyTorch does).
    public func maxPool2d(_ spec: WindowSpec) throws -> Variable {
        guard value.rank >= 2 else { throw TensorError.axis(1, rank: value.rank) }
        let (h, w) = (shape[rank - 2], shape[rank - 1])
        let (ho, wo) = (spec.outputSize(h), spec.outputSize(w))
        guard ho >= 1, wo >= 1 else { throw TensorError.contraction("a window of \(spec.kernel) does not fit \(h)×\(w)") }
        let planes = value.count / Swift.max(h * w, 1)
        var out = [T](repeating: -T.infinity, count: planes * ho * wo)
        var argmax = [Int32](repeating: -1, count: out.count)
        value.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { ys in
                argmax.withUnsafeMutableBufferPointer { arg in
                    let k = spec.kernel
                    // Non-overlapping windows inside the image (stride = kernel, no padding or
                    // dilation): every window is in bounds, so no coordinate checks are needed.
                    let tiled = spec.stride == k && spec.padding == 0 && spec.dilation == 1
                    Parallel.forEachChunk(planes, costPerItem: ho * wo * k * k) { chunk in
                        if tiled && k == 2 {
                            // The common 2×2 pool, with selects instead of branches: which of
                            // four values wins is data-dependent, so branches mispredict.
                            for plane in chunk { for oh in 0..<ho {
                                let r0 = (plane * h + oh * 2) * w, r1 = r0 + w, o0 = (plane * ho + oh) * wo
                                for ow in 0..<wo {
                                    let i = 2 * ow
                                    let a = xs[r0 + i], b = xs[r0 + i + 1], c = xs[r1 + i], d = xs[r1 + i + 1]
                                    let right0 = b > a, right1 = d > c
                                    let m0 = right0 ? b : a, m1 = right1 ? d : c
                                    let lower = m1 > m0
                                    ys[o0 + ow] = lower ? m1 : m0
                                    arg[o0 + ow] = Int32(lower ? r1 + i + (right1 ? 1 : 0) : r0 + i + (right0 ? 1 : 0))
                                }
                            } }
                            return
                        }
                        if tiled {
                            for plane in chunk { for oh in 0..<ho {
                                let top = (plane * h + oh * k) * w
                                for ow in 0..<wo {
                                    var at = top + ow * k, best = xs[at]
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
                            } }
                            return
                        }
                        for plane in chunk { for oh in 0..<ho { for ow in 0..<wo {
                            var best = -T.infinity, at = -1
                            for ki in 0..<spec.kernel {
                                let ih = oh * spec.stride - spec.padding + ki * spec.dilation
                                guard ih >= 0, ih < h else { continue }
                                for kj in 0..<spec.kernel {
                                    let iw = ow * spec.stride - spec.padding + kj * spec.dilation
                                    guard iw >= 0, iw < w else { continue }
                                    let i = (plane * h + ih) * w + iw
                                    if xs[i] > best || at < 0 { best = xs[i]; at = i }
                                }
                            }
                            let o = (plane * ho + oh) * wo + ow
                            ys[o] = best
                            arg[o] = Int32(at)
                        } } }
                    }
                }
            }
        }
        var outShape = shape
        outShape[rank - 2] = ho
        outShape[rank - 1] = wo
        return Variable(Tensor(unchecked: outShape, out), operation: "maxpool2d", parents: [self]) { [inShape = shape] g in
            var dx = [T](repeating: 0, count: inShape.reduce(1, *))
            for (o, i) in argmax.enumerated() where i >= 0 { dx[Int(i)] += g.storage[o] }
            return [Tensor(unchecked: inShape, dx)]
        }
    }
}
