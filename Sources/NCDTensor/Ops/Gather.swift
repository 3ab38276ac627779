import Foundation

/// Row lookup (an embedding table read at token ids) and the causal mask.
extension Variable {
    /// Rows of a `[n, width]` table, one per index, in order: `[indices.count, width]`.
    /// The backward adds each row's gradient into the row it came from, so a row read twice
    /// receives both.
    public func gatherRows(_ indices: [Int]) throws -> Variable {
        guard rank == 2 else {
            throw TensorError.contraction("gathering rows needs a [rows, width] table, not \(shape)")
        }
        let (n, width) = (shape[0], shape[1])
        if let bad = indices.firstIndex(where: { $0 < 0 || $0 >= n }) {
            throw TensorError.contraction("index \(indices[bad]) at position \(bad) is out of range for \(n) rows")
        }
        let out = try value.storage.withUnsafeBufferPointer { table in
            try [T](uninitializedCount: indices.count * width) { out in
                guard width > 0 else { return }
                for (i, row) in indices.enumerated() {
                    (out.baseAddress! + i * width).initialize(from: table.baseAddress! + row * width, count: width)
                }
            }
        }
        return Variable(Tensor(unchecked: [indices.count, width], out), operation: "gather", parents: [self]) {
            [shape] g in
            var dx = try [T](zeros: n * width)
            g.storage.withUnsafeBufferPointer { gs in
                for (i, row) in indices.enumerated() {
                    for j in 0..<width { dx[row * width + j] += gs[i * width + j] }
                }
            }
            return [Tensor(unchecked: shape, dx)]
        }
    }

    /// Causal masking of scores laid out `[…, query, key]`: key j after query i (j > i)
    /// becomes −∞, so softmax gives it no weight, and its gradient is zero; the rest pass
    /// through. Aligned at the top left, as PyTorch's `is_causal` (`ones(L, S).tril()`), so
    /// queries and keys may differ in number and no row is ever wholly masked.
    public func causallyMasked() throws -> Variable {
        guard rank >= 2 else {
            throw TensorError.contraction("a causal mask needs [..., queries, keys] scores, not \(shape)")
        }
        let (rows, columns) = (shape[rank - 2], shape[rank - 1])
        func masked(_ x: Tensor<T>, fill: T) throws -> Tensor<T> {
            var out = try x.copied()
            out.storage.withUnsafeMutableBufferPointer { o in
                guard rows > 0, columns > 0 else { return }
                for block in 0..<(o.count / (rows * columns)) {
                    for i in 0..<rows where i + 1 < columns {
                        for j in (i + 1)..<columns { o[(block * rows + i) * columns + j] = fill }
                    }
                }
            }
            return out
        }
        return Variable(try masked(value, fill: -T.infinity), operation: "causal", parents: [self]) { g in
            [try masked(g, fill: 0)]
        }
    }
}

extension Tensor {
    /// Normal samples, N(mean, std²), by Box–Muller on a seeded generator (as `nn.init.normal_`
    /// draws them, though not the same numbers).
    public static func normal(shape: [Int], mean: T = 0, std: T = 1, seed: UInt64) throws -> Tensor {
        var rng = SplitMix64(seed: seed)
        let n = try elementCount(shape)
        var data = try [T](zeros: n)
        var i = 0
        while i < n {
            // 1 − u keeps the logarithm's argument in (0, 1].
            let (u, v) = (1 - rng.nextUnit(), rng.nextUnit())
            let r = (-2 * Foundation.log(u)).squareRoot()
            data[i] = mean + std * T(r * Foundation.cos(2 * Double.pi * v))
            if i + 1 < n { data[i + 1] = mean + std * T(r * Foundation.sin(2 * Double.pi * v)) }
            i += 2
        }
        return Tensor(unchecked: shape, data)
    }
}

extension Variable {
    /// `condition ≠ 0 ? self : other`, element by element, all three of one shape. The
    /// gradient goes to the chosen side only, so a −∞ on the other side stays harmless.
    public func selected(where condition: Tensor<T>, else other: Variable) throws -> Variable {
        guard condition.shape == shape, other.shape == shape else { throw TensorError.broadcast(shape, other.shape) }
        try TensorMemory.reserve(condition.count, of: Bool.self)
        let take = condition.storage.map { $0 != 0 }
        var out = try other.value.copied()
        for i in 0..<out.count where take[i] { out.storage[i] = value.storage[i] }
        return Variable(out, operation: "where", parents: [self, other]) { [shape] g in
            var mine = try [T](zeros: g.count)
            var theirs = try [T](copying: g.storage)
            for i in 0..<g.count where take[i] {
                mine[i] = g.storage[i]
                theirs[i] = 0
            }
            return [Tensor(unchecked: shape, mine), Tensor(unchecked: shape, theirs)]
        }
    }
}
