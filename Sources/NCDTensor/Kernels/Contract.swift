/// Multilinear contraction by axis labels (einsum), lowered to BLAS: each pair of operands
/// becomes one gemm per batch index, [free, contracted] × [contracted, free]; more operands
/// are contracted pairwise, left to right.
public enum Contraction {
    /// `einsum` of labelled operands into `output` labels, times `scale`. Labels appearing in
    /// no later operand and not in the output are summed as early as possible. The scale
    /// rides on the last gemm (its α), so it costs no pass of its own.
    public static func einsum<T>(_ operands: [(Tensor<T>, [String])], output: [String], scale: T = 1) throws -> Tensor<
        T
    > {
        guard !operands.isEmpty else { throw TensorError.contraction("no operands") }
        for (t, labels) in operands {
            guard t.rank == labels.count, Set(labels).count == labels.count else {
                throw TensorError.contraction(
                    "labels \(labels) do not name the \(t.rank) distinct axes of shape \(t.shape)")
            }
        }
        let all = Set(operands.flatMap(\.1))
        if let missing = output.first(where: { !all.contains($0) }) {
            throw TensorError.contraction("output axis `\(missing)` is in no operand")
        }
        var (current, labels) = operands[0]
        for (i, (next, nextLabels)) in operands.enumerated().dropFirst() {
            let later = Set(operands.dropFirst(i + 1).flatMap(\.1)).union(output)
            var keep = (labels + nextLabels.filter { !labels.contains($0) }).filter { later.contains($0) }
            // The last product is written in the output's order, saving a permute after it.
            if Set(keep) == Set(output) { keep = output }
            let last = i == operands.count - 1
            current = try pair(current, labels, next, nextLabels, into: keep, scale: last ? scale : 1)
            labels = keep
        }
        let result = try single(current, labels, into: output)
        return operands.count == 1 && scale != 1 ? try result.scaled(by: scale) : result
    }

    /// One operand: sum what the output lacks, then order the axes.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func single<T>(_ t: Tensor<T>, _ labels: [String], into output: [String]) throws -> Tensor<T> {
        let summed = labels.indices.filter { !output.contains(labels[$0]) }
        let reduced = summed.isEmpty ? t : try t.sum(axes: summed)
        let rest = labels.filter { output.contains($0) }
        return try reduced.permuted(output.map { rest.firstIndex(of: $0)! })
    }

    /// Two operands into `output` labels (each output label in at least one operand).
    /// Operands and result are read and written where they lie whenever BLAS can address
    /// them (see `MatrixLayout`); only an operand it cannot is first permuted into a copy.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func pair<T>(
        _ a: Tensor<T>, _ la: [String], _ b: Tensor<T>, _ lb: [String], into output: [String],
        scale: T = 1
    ) throws -> Tensor<T> {
        // Axes that only one operand has and the output drops are summed first.
        let la1 = la.filter { lb.contains($0) || output.contains($0) }
        let a1 = try single(a, la, into: la1)
        let lb1 = lb.filter { la1.contains($0) || output.contains($0) }
        let b1 = try single(b, lb, into: lb1)
        for l in la1 where lb1.contains(l) {
            guard a1.shape[la1.firstIndex(of: l)!] == b1.shape[lb1.firstIndex(of: l)!] else {
                throw TensorError.contraction(
                    "axis `\(l)` has size \(a1.shape[la1.firstIndex(of: l)!]) and \(b1.shape[lb1.firstIndex(of: l)!])")
            }
        }
        // Free axes keep the output's order, contracted ones the first operand's, so the
        // common layouts (attention's heads, a linear map) fuse without copies.
        let batch = output.filter { la1.contains($0) && lb1.contains($0) }
        let left = output.filter { la1.contains($0) && !lb1.contains($0) }
        let right = output.filter { lb1.contains($0) && !la1.contains($0) }
        let contracted = la1.filter { lb1.contains($0) && !output.contains($0) }
        let axesA = LabelledAxes(labels: la1, shape: a1.shape)
        let axesB = LabelledAxes(labels: lb1, shape: b1.shape)
        let shape = output.map { l in axesA.size(of: l) ?? axesB.size(of: l)! }
        let m = axesA.extent(left)
        let k = axesA.extent(contracted)
        let n = axesB.extent(right)
        let nb = axesA.extent(batch)
        let (pa, viewA) = try addressable(a1, axesA, rows: left, columns: contracted, batch: batch)
        let (pb, viewB) = try addressable(b1, axesB, rows: contracted, columns: right, batch: batch)
        // The result is written in the output's order when BLAS can address it there;
        // otherwise as [batch, left, right], permuted afterwards.
        let direct = MatrixLayout(
            rows: left, columns: right, batch: batch, in: LabelledAxes(labels: output, shape: shape))
        let resultLabels = direct == nil ? batch + left + right : output
        let resultAxes = LabelledAxes(
            labels: resultLabels, shape: resultLabels.map { shape[output.firstIndex(of: $0)!] })
        guard let viewC = MatrixLayout(rows: left, columns: right, batch: batch, in: resultAxes) else {
            throw TensorError.contraction("no matrix layout for the result \(resultLabels)")
        }
        let c = try pa.storage.withUnsafeBufferPointer { A in
            try pb.storage.withUnsafeBufferPointer { B in
                try [T](uninitializedCount: shape.reduce(1, *)) { C in
                    guard m > 0, n > 0, nb > 0 else { return }
                    guard k > 0 else { return C.initialize(repeating: 0) }
                    batchedGemm(
                        m: m, n: n, k: k, alpha: scale, batches: batch.map { axesA.size(of: $0)! }, count: nb,
                        a: (A.baseAddress!, viewA), b: (B.baseAddress!, viewB), c: (C.baseAddress!, viewC))
                }
            }
        }
        let result = Tensor(unchecked: resultAxes.shape, c)
        return direct == nil ? try result.permuted(output.map { resultLabels.firstIndex(of: $0)! }) : result
    }

    /// An operand as BLAS reads it: in place when its axes fuse into `rows` × `columns`
    /// matrices, otherwise a copy permuted so that they do.
    static func addressable<T>(
        _ t: Tensor<T>, _ axes: LabelledAxes, rows: [String], columns: [String],
        batch: [String]
    ) throws -> (Tensor<T>, MatrixLayout) {
        if let layout = MatrixLayout(rows: rows, columns: columns, batch: batch, in: axes) { return (t, layout) }
        let order = axes.copyOrder(batch, rows, columns)
        let copy = try t.permuted(order)
        let copied = LabelledAxes(labels: order.map { axes.labels[$0] }, shape: copy.shape)
        guard let layout = MatrixLayout(rows: rows, columns: columns, batch: batch, in: copied) else {
            throw TensorError.contraction("no matrix layout for \(axes.labels) as \(rows) × \(columns)")
        }
        return (copy, layout)
    }

    /// C[i] = α·A[i]·B[i] for every batch index i, each operand addressed through its layout.
    /// Many small products run whole on separate threads; few large ones are split inside.
    static func batchedGemm<T: TensorElement>(
        m: Int, n: Int, k: Int, alpha: T, batches: [Int], count: Int,
        a: (UnsafePointer<T>, MatrixLayout), b: (UnsafePointer<T>, MatrixLayout),
        c: (UnsafeMutablePointer<T>, MatrixLayout)
    ) {
        func product(_ i: Int) {
            var (oa, ob, oc, rest) = (0, 0, 0, i)
            for axis in batches.indices.reversed() {
                let index = rest % batches[axis]
                rest /= batches[axis]
                oa += index * a.1.batchStrides[axis]
                ob += index * b.1.batchStrides[axis]
                oc += index * c.1.batchStrides[axis]
            }
            if c.1.transposed {
                // Cᵀ = Bᵀ·Aᵀ: the result's columns are contiguous, so it is written transposed.
                T.gemm(
                    transposeA: !b.1.transposed, transposeB: !a.1.transposed, m: n, n: m, k: k, alpha: alpha,
                    a: b.0 + ob, lda: b.1.leading, b: a.0 + oa, ldb: a.1.leading, beta: 0, c: c.0 + oc, ldc: c.1.leading
                )
            } else {
                T.gemm(
                    transposeA: a.1.transposed, transposeB: b.1.transposed, m: m, n: n, k: k, alpha: alpha,
                    a: a.0 + oa, lda: a.1.leading, b: b.0 + ob, ldb: b.1.leading, beta: 0, c: c.0 + oc, ldc: c.1.leading
                )
            }
        }
        if count >= Parallel.threads {
            Parallel.forEachChunk(count, costPerItem: Swift.max(1, m * n * k / 64)) { range in range.forEach(product) }
        } else {
            (0..<count).forEach(product)
        }
    }
}
