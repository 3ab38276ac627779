/// A contiguous tensor's axes by label: the size and step (stride) of each.
struct LabelledAxes {
    let labels: [String]
    let shape: [Int]
    let strides: [Int]

    init(labels: [String], shape: [Int]) {
        self.labels = labels
        self.shape = shape
        self.strides = Tensor<Float>.strides(for: shape)
    }

    func size(of label: String) -> Int? { labels.firstIndex(of: label).map { shape[$0] } }

    /// The number of elements the labelled axes span together.
    func extent(_ group: [String]) -> Int { group.reduce(1) { $0 * size(of: $1)! } }

    /// The axes of `group`, in order, read as one axis: its size and step, or nil when they
    /// are not laid out that way (each axis stepping by the next one's whole extent).
    /// Size-1 axes never matter, so they are skipped.
    func fused(_ group: [String]) -> (size: Int, stride: Int)? {
        let present = group.map { labels.firstIndex(of: $0)! }.filter { shape[$0] != 1 }
        guard let innermost = present.last else { return (1, 0) }
        for (outer, inner) in zip(present, present.dropFirst()) where strides[outer] != strides[inner] * shape[inner] {
            return nil
        }
        return (present.reduce(1) { $0 * shape[$1] }, strides[innermost])
    }

    /// The permutation that copies this tensor to [batch, rows, columns], or to
    /// [batch, columns, rows] when that one keeps the last axis in place and so moves whole
    /// runs rather than single elements.
    func copyOrder(_ batch: [String], _ rows: [String], _ columns: [String]) -> [Int] {
        let plain = (batch + rows + columns).map { labels.firstIndex(of: $0)! }
        let flipped = (batch + columns + rows).map { labels.firstIndex(of: $0)! }
        func cost(_ order: [Int]) -> Int { order == Array(order.indices) ? 0 : order.last == order.count - 1 ? 1 : 2 }
        return cost(flipped) < cost(plain) ? flipped : plain
    }
}

/// How BLAS addresses a batch of matrices where they lie: row `r`, column `c` of batch
/// entry `i` is at `Σ iₐ·batchStrides[a] + r·leading + c`, or `… + c·leading + r` when
/// `transposed`. BLAS needs unit steps along one of the two matrix axes, and each of them
/// a single step, which is what `LabelledAxes.fused` finds.
struct MatrixLayout: Equatable {
    let transposed: Bool
    let leading: Int
    let batchStrides: [Int]

    init(transposed: Bool, leading: Int, batchStrides: [Int]) {
        (self.transposed, self.leading, self.batchStrides) = (transposed, leading, batchStrides)
    }

    /// The layout of `rows` × `columns` matrices per `batch` index, if BLAS can read it.
    init?(rows: [String], columns: [String], batch: [String], in axes: LabelledAxes) {
        batchStrides = batch.map { axes.strides[axes.labels.firstIndex(of: $0)!] }
        guard let r = axes.fused(rows), let c = axes.fused(columns) else { return nil }
        if r.size == 0 || c.size == 0 {
            // Nothing is read or written; any valid description will do.
            (transposed, leading) = (false, Swift.max(c.size, 1))
        } else if c.size == 1 || c.stride == 1 {
            (transposed, leading) = (false, r.size == 1 ? c.size : r.stride)
            guard leading >= c.size else { return nil }
        } else if r.size == 1 || r.stride == 1 {
            (transposed, leading) = (true, c.size == 1 ? r.size : c.stride)
            guard leading >= r.size else { return nil }
        } else {
            return nil
        }
    }
}
