/// Kernel geometry of ★, the same on every spatial axis (as PyTorch's int arguments).
public struct WindowSpec: Equatable, Sendable {
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    public var dilation: Int

    public init(kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// `⌊(n + 2p − d(k−1) − 1)/s⌋ + 1`.
    public func outputSize(_ n: Int) -> Int { (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1 }
}

/// ★ as im2col: each spatial axis shrinks to its output size and a window axis of the
/// kernel's size is appended per spatial axis; positions in the padding read 0.
enum Window {
    /// For each output element, the input offset it reads, or −1 in the padding.
    static func sourceOffsets(shape: [Int], spatial: [Int], spec: WindowSpec) throws -> (shape: [Int], offsets: [Int]) {
        for a in spatial where a < 0 || a >= shape.count { throw TensorError.axis(a, rank: shape.count) }
        var outShape = shape
        for a in spatial {
            outShape[a] = spec.outputSize(shape[a])
            guard outShape[a] >= 1, spec.kernel >= 1, spec.stride >= 1 else {
                throw TensorError.contraction("a window of \(spec.kernel) does not fit axis \(a) of size \(shape[a])")
            }
        }
        outShape += [Int](repeating: spec.kernel, count: spatial.count)
        let inStrides = Tensor<Float>.strides(for: shape)
        let total = outShape.reduce(1, *)
        var offsets = [Int](repeating: 0, count: total)
        var index = [Int](repeating: 0, count: outShape.count)
        let rank = shape.count
        for o in 0..<total {
            var offset = 0
            var inside = true
            for a in 0..<rank {
                var coordinate = index[a]
                if let w = spatial.firstIndex(of: a) {
                    coordinate = index[a] * spec.stride - spec.padding + index[rank + w] * spec.dilation
                    if coordinate < 0 || coordinate >= shape[a] {
                        inside = false
                        break
                    }
                }
                offset += coordinate * inStrides[a]
            }
            offsets[o] = inside ? offset : -1
            var d = outShape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < outShape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return (outShape, offsets)
    }
}

extension Variable {
    /// ★: windows over the given spatial axes; the backward scatters gradients back (col2im).
    public func window(spatial: [Int], _ spec: WindowSpec) throws -> Variable {
        let (shape, offsets) = try Window.sourceOffsets(shape: value.shape, spatial: spatial, spec: spec)
        var out = try [T](zeros: offsets.count)
        value.storage.withUnsafeBufferPointer { xs in
            for (o, s) in offsets.enumerated() where s >= 0 { out[o] = xs[s] }
        }
        return Variable(Tensor(unchecked: shape, out), operation: "window", parents: [self]) {
            [inShape = value.shape] g in
            var dx = try [T](zeros: inShape.reduce(1, *))
            g.storage.withUnsafeBufferPointer { gs in
                for (o, s) in offsets.enumerated() where s >= 0 { dx[s] += gs[o] }
            }
            return [Tensor(unchecked: inShape, dx)]
        }
    }
}

/// Pooling built on ★ as the paper draws it.
extension Variable {
    /// Mean pooling over the last two axes (padding counts as zeros, as PyTorch's default).
    public func avgPool2d(_ spec: WindowSpec) throws -> Variable {
        try window(spatial: [rank - 2, rank - 1], spec).mean(axes: [rank, rank + 1])
    }

    var rank: Int { value.rank }
}
