/// Multilinear contraction by axis labels (einsum), lowered to BLAS: each pair of operands
/// is permuted to [batch, free, contracted] × [batch, contracted, free] and multiplied with
/// one gemm per batch index; more operands are contracted pairwise, left to right.
public enum Contraction {
    /// `einsum` of labelled operands into `output` labels. Labels appearing in no later
    /// operand and not in the output are summed as early as possible.
    public static func einsum<T>(_ operands: [(Tensor<T>, [String])], output: [String]) throws -> Tensor<T> {
        guard !operands.isEmpty else { throw TensorError.contraction("no operands") }
        for (t, labels) in operands {
            guard t.rank == labels.count, Set(labels).count == labels.count else {
                throw TensorError.contraction("labels \(labels) do not name the \(t.rank) distinct axes of shape \(t.shape)")
            }
        }
        let all = Set(operands.flatMap(\.1))
        if let missing = output.first(where: { !all.contains($0) }) {
            throw TensorError.contraction("output axis `\(missing)` is in no operand")
        }
        var (current, labels) = operands[0]
        for (i, (next, nextLabels)) in operands.enumerated().dropFirst() {
            let later = Set(operands.dropFirst(i + 1).flatMap(\.1)).union(output)
            let keep = (labels + nextLabels.filter { !labels.contains($0) }).filter { later.contains($0) }
            current = try pair(current, labels, next, nextLabels, into: keep)
            labels = keep
        }
        return try single(current, labels, into: output)
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
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func pair<T>(_ a: Tensor<T>, _ la: [String], _ b: Tensor<T>, _ lb: [String], into output: [String]) throws -> Tensor<T> {
        // Axes that only one operand has and the output drops are summed first.
        let a1 = try single(a, la, into: la.filter { lb.contains($0) || output.contains($0) })
        let la1 = la.filter { lb.contains($0) || output.contains($0) }
        let b1 = try single(b, lb, into: lb.filter { la1.contains($0) || output.contains($0) })
        let lb1 = lb.filter { la1.contains($0) || output.contains($0) }
        for l in la1 where lb1.contains(l) {
            guard a1.shape[la1.firstIndex(of: l)!] == b1.shape[lb1.firstIndex(of: l)!] else {
                throw TensorError.contraction("axis `\(l)` has size \(a1.shape[la1.firstIndex(of: l)!]) and \(b1.shape[lb1.firstIndex(of: l)!])")
            }
        }
        let batch = la1.filter { lb1.contains($0) && output.contains($0) }
        let contracted = la1.filter { lb1.contains($0) && !output.contains($0) }
        let left = la1.filter { !lb1.contains($0) }
        let right = lb1.filter { !la1.contains($0) }
        func size(_ labels: [String], _ t: Tensor<T>, _ own: [String]) -> Int {
            labels.reduce(1) { $0 * t.shape[own.firstIndex(of: $1)!] }
        }
        let nb = size(batch, a1, la1), m = size(left, a1, la1), k = size(contracted, a1, la1), n = size(right, b1, lb1)
        // Each operand may enter gemm as it is or transposed: pick the layout its permute
        // makes cheapest (none, or one that keeps the last axis and so moves whole rows).
        func layout(_ own: [String], _ plain: [String], _ flipped: [String]) -> (order: [Int], transposed: Bool) {
            let p = plain.map { own.firstIndex(of: $0)! }, f = flipped.map { own.firstIndex(of: $0)! }
            func cost(_ o: [Int]) -> Int { o == Array(o.indices) ? 0 : o.last == o.count - 1 ? 1 : 2 }
            return cost(f) < cost(p) ? (f, true) : (p, false)
        }
        let (orderA, transA) = layout(la1, batch + left + contracted, batch + contracted + left)
        let (orderB, transB) = layout(lb1, batch + contracted + right, batch + right + contracted)
        let pa = try a1.permuted(orderA), pb = try b1.permuted(orderB)
        var c = [T](repeating: 0, count: nb * m * n)
        if m > 0, n > 0 {
            pa.storage.withUnsafeBufferPointer { A in
                pb.storage.withUnsafeBufferPointer { B in
                    c.withUnsafeMutableBufferPointer { C in
                        for i in 0..<nb where k > 0 {
                            T.gemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: 1,
                                   a: A.baseAddress! + i * m * k, lda: transA ? m : k, b: B.baseAddress! + i * k * n,
                                   ldb: transB ? k : n, beta: 0, c: C.baseAddress! + i * m * n, ldc: n)
                        }
                    }
                }
            }
        }
        let labels = batch + left + right
        let shape = labels.map { l in la1.firstIndex(of: l).map { a1.shape[$0] } ?? b1.shape[lb1.firstIndex(of: l)!] }
        return try Tensor(unchecked: shape, c).permuted(output.map { labels.firstIndex(of: $0)! })
    }
}
