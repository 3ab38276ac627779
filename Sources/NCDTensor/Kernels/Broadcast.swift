/// NumPy broadcasting: shapes align on the right; a size-1 (or missing) axis stretches.
public enum Broadcast {
    /// The broadcast shape of two shapes, or an error naming both.
    public static func shape(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else { throw TensorError.broadcast(a, b) }
            out[i] = x == 1 ? y : x
        }
        return out
    }

    /// Strides that read a tensor of `shape` as if it had `target` shape (0 on stretched axes).
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let own = Tensor<Float>.strides(for: shape)
        let offset = target.count - shape.count
        return target.indices.map { i in
            i < offset || shape[i - offset] == 1 ? 0 : own[i - offset]
        }
    }

    /// Visits every element of `shape` in row-major order, giving its offsets into two
    /// operands read through the given strides. The innermost axis runs as a plain loop.
    @inline(__always)
    static func forEach(_ shape: [Int], _ sa: [Int], _ sb: [Int], _ body: (_ out: Int, _ a: Int, _ b: Int) -> Void) {
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        guard let inner = shape.last else { return body(0, 0, 0) }
        let ia = sa.last!
        let ib = sb.last!
        var index = [Int](repeating: 0, count: shape.count)
        var oa = 0
        var ob = 0
        var out = 0
        while out < count {
            for j in 0..<inner { body(out + j, oa + j * ia, ob + j * ib) }
            out += inner
            // Advance the odometer over the outer axes.
            var d = shape.count - 2
            while d >= 0 {
                index[d] += 1
                oa += sa[d]
                ob += sb[d]
                if index[d] < shape[d] { break }
                oa -= sa[d] * shape[d]
                ob -= sb[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

extension Tensor {
    /// Applies `f` elementwise.
    @inline(__always)
    public func map(_ f: (T) -> T) throws -> Tensor {
        let out = try storage.withUnsafeBufferPointer { x in
            try [T](uninitializedCount: x.count) { o in
                Parallel.forEachChunk(o.count) { range in for i in range { o[i] = f(x[i]) } }
            }
        }
        return Tensor(unchecked: shape, out)
    }

    /// Every element times `c`. `map { $0 * c }` computes the same, but when its loop is
    /// split across threads the closure is called per element; here the arithmetic is in
    /// the loop itself.
    public func scaled(by c: T) throws -> Tensor {
        let out = try storage.withUnsafeBufferPointer { x in
            try [T](uninitializedCount: x.count) { o in
                Parallel.forEachChunk(o.count) { range in for i in range { o[i] = x[i] * c } }
            }
        }
        return Tensor(unchecked: shape, out)
    }

    /// max(x, 0) elementwise, with the arithmetic in the loop (see `scaled(by:)`).
    public func rectified() throws -> Tensor {
        let out = try storage.withUnsafeBufferPointer { x in
            try [T](uninitializedCount: x.count) { o in
                Parallel.forEachChunk(o.count) { range in for i in range { o[i] = Swift.max(x[i], 0) } }
            }
        }
        return Tensor(unchecked: shape, out)
    }

    /// Combines two tensors elementwise with broadcasting.
    @inline(__always)
    public static func zip(_ a: Tensor, _ b: Tensor, _ f: (T, T) -> T) throws -> Tensor {
        if a.shape == b.shape {
            let out = try a.storage.withUnsafeBufferPointer { pa in
                try b.storage.withUnsafeBufferPointer { pb in
                    try [T](uninitializedCount: pa.count) { o in
                        Parallel.forEachChunk(o.count) { range in for i in range { o[i] = f(pa[i], pb[i]) } }
                    }
                }
            }
            return Tensor(unchecked: a.shape, out)
        }
        let shape = try Broadcast.shape(a.shape, b.shape)
        let sa = Broadcast.strides(of: a.shape, broadcastTo: shape)
        let sb = Broadcast.strides(of: b.shape, broadcastTo: shape)
        let out = try a.storage.withUnsafeBufferPointer { pa in
            try b.storage.withUnsafeBufferPointer { pb in
                try [T](uninitializedCount: shape.reduce(1, *)) { po in
                    Broadcast.forEach(shape, sa, sb) { o, i, j in po[o] = f(pa[i], pb[j]) }
                }
            }
        }
        return Tensor(unchecked: shape, out)
    }

    /// This tensor stretched to a broadcast-compatible larger shape.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func expanded(to target: [Int]) throws -> Tensor {
        guard try Broadcast.shape(shape, target) == target else { throw TensorError.broadcast(shape, target) }
        if shape == target { return self }
        let read = Broadcast.strides(of: shape, broadcastTo: target)
        let out = try storage.withUnsafeBufferPointer { x in
            try [T](uninitializedCount: target.reduce(1, *)) { o in
                Broadcast.forEach(target, read, read) { i, j, _ in o[i] = x[j] }
            }
        }
        return Tensor(unchecked: target, out)
    }

    /// Sums the axes that broadcasting stretched, giving back `target`'s shape: the adjoint
    /// of `expanded(to:)`, used by every broadcasting op's backward.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func summed(to target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let offset = shape.count - target.count
        guard offset >= 0 else { throw TensorError.broadcast(shape, target) }
        var axes: [Int] = Array(0..<offset)
        for i in target.indices where target[i] == 1 && shape[i + offset] != 1 { axes.append(i + offset) }
        return try sum(axes: axes, keepingAxes: true).reshaped(target)
    }
}
