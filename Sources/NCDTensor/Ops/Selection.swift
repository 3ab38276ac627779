/// Slicing, indexing and concatenation along an axis; backwards scatter or split.
extension Variable {
    /// Positions `start..<end` of `axis`.
    public func slice(axis: Int, start: Int, end: Int) throws -> Variable {
        guard axis >= 0, axis < rank else { throw TensorError.axis(axis, rank: rank) }
        guard 0 <= start, start < end, end <= shape[axis] else {
            throw TensorError.contraction("slice \(start)..<\(end) of axis \(axis) with size \(shape[axis])")
        }
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let (n, m) = (shape[axis], end - start)
        var out = [T](repeating: 0, count: outer * m * inner)
        value.storage.withUnsafeBufferPointer { xs in
            for o in 0..<outer {
                let src = (o * n + start) * inner, dst = o * m * inner
                for i in 0..<(m * inner) { out[dst + i] = xs[src + i] }
            }
        }
        var newShape = shape
        newShape[axis] = m
        return Variable(Tensor(unchecked: newShape, out), operation: "slice", parents: [self]) { [shape] g in
            var dx = [T](repeating: 0, count: shape.reduce(1, *))
            g.storage.withUnsafeBufferPointer { gs in
                for o in 0..<outer {
                    let dst = (o * n + start) * inner, src = o * m * inner
                    for i in 0..<(m * inner) { dx[dst + i] = gs[src + i] }
                }
            }
            return [Tensor(unchecked: shape, dx)]
        }
    }

    /// Position `index` of `axis`, removing the axis.
    public func index(axis: Int, _ index: Int) throws -> Variable {
        guard axis >= 0, axis < rank else { throw TensorError.axis(axis, rank: rank) }
        var reduced = shape
        reduced.remove(at: axis)
        return try slice(axis: axis, start: index, end: index + 1).reshapedVariable(reduced)
    }
}

/// Joins tensors along an axis; all other axes must agree.
public func concatenate<T>(_ parts: [Variable<T>], axis: Int) throws -> Variable<T> {
    guard let first = parts.first, axis >= 0, axis < first.value.rank else {
        throw TensorError.axis(axis, rank: parts.first?.value.rank ?? 0)
    }
    for p in parts {
        var a = p.shape, b = first.shape
        guard a.count == b.count else { throw TensorError.broadcast(p.shape, first.shape) }
        a[axis] = 0
        b[axis] = 0
        guard a == b else { throw TensorError.broadcast(p.shape, first.shape) }
    }
    let outer = first.shape[..<axis].reduce(1, *), inner = first.shape[(axis + 1)...].reduce(1, *)
    let sizes = parts.map { $0.shape[axis] }, total = sizes.reduce(0, +)
    var out = [T](repeating: 0, count: outer * total * inner)
    var offset = 0
    for (p, n) in zip(parts, sizes) {
        for o in 0..<outer {
            for i in 0..<(n * inner) { out[(o * total + offset) * inner + i] = p.value.storage[o * n * inner + i] }
        }
        offset += n
    }
    var shape = first.shape
    shape[axis] = total
    return Variable(Tensor(unchecked: shape, out), operation: "concat", parents: parts) { g in
        var start = 0
        return try zip(parts, sizes).map { p, n in
            defer { start += n }
            return try Variable(g).slice(axis: axis, start: start, end: start + n).value
        }
    }
}
