/// Slicing, indexing and concatenation along an axis; backwards scatter or split.
extension Variable {
    /// Positions `start..<end` of `axis`.
    public func slice(axis: Int, start: Int, end: Int) throws -> Variable {
        guard axis >= 0, axis < rank else { throw TensorError.axis(axis, rank: rank) }
        guard 0 <= start, start < end, end <= shape[axis] else {
            throw TensorError.contraction("slice \(start)..<\(end) of axis \(axis) with size \(shape[axis])")
        }
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let (n, m) = (shape[axis], end - start)
        let run = m * inner
        let out = try value.storage.withUnsafeBufferPointer { xs in
            try [T](uninitializedCount: outer * run) { out in
                guard run > 0 else { return }
                for o in 0..<outer {
                    (out.baseAddress! + o * run).initialize(from: xs.baseAddress! + (o * n + start) * inner, count: run)
                }
            }
        }
        var newShape = shape
        newShape[axis] = m
        return Variable(Tensor(unchecked: newShape, out), operation: "slice", parents: [self]) { [shape] g in
            var dx = try [T](zeros: shape.reduce(1, *))
            g.storage.withUnsafeBufferPointer { gs in
                dx.withUnsafeMutableBufferPointer { dx in
                    guard run > 0 else { return }
                    for o in 0..<outer {
                        (dx.baseAddress! + (o * n + start) * inner).update(from: gs.baseAddress! + o * run, count: run)
                    }
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
        var a = p.shape
        var b = first.shape
        guard a.count == b.count else { throw TensorError.broadcast(p.shape, first.shape) }
        a[axis] = 0
        b[axis] = 0
        guard a == b else { throw TensorError.broadcast(p.shape, first.shape) }
    }
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    let sizes = parts.map { $0.shape[axis] }
    let total = sizes.reduce(0, +)
    let out = try [T](uninitializedCount: outer * total * inner) { out in
        var offset = 0
        for (p, n) in zip(parts, sizes) {
            p.value.storage.withUnsafeBufferPointer { part in
                for o in 0..<outer where n * inner > 0 {
                    (out.baseAddress! + (o * total + offset) * inner).initialize(
                        from: part.baseAddress! + o * n * inner, count: n * inner)
                }
            }
            offset += n
        }
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
