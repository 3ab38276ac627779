/// A k×k window sliding over one [channels, height, width] image, as im2col lays it out: a
/// matrix of `rows` = channels·k·k rows, one per (channel, ki, kj), by `positions` =
/// outHeight·outWidth columns. Convolution gathers an image into that matrix (im2col), and
/// its input gradient and the transposed convolution scatter such a matrix back (col2im).
///
/// Both walk the matrix a line at a time (one row, one output row oh): the output columns
/// whose input lies inside the image are one contiguous run, found once per kj, so a line
/// is a copy (a `memcpy` at stride 1) between two runs of zeros, with no per-element
/// bounds check or index table.
struct ImageWindow {
    let channels: Int, height: Int, width: Int
    let spec: WindowSpec
    let outHeight: Int, outWidth: Int

    init(channels: Int, height: Int, width: Int, _ spec: WindowSpec) {
        (self.channels, self.height, self.width, self.spec) = (channels, height, width, spec)
        (outHeight, outWidth) = (spec.outputSize(height), spec.outputSize(width))
    }

    var rows: Int { channels * spec.kernel * spec.kernel }
    var positions: Int { outHeight * outWidth }
    var imageSize: Int { channels * height * width }

    /// cols[rows, positions] = the image's windows, zeros where they overhang the padding.
    func gather<T: TensorElement>(_ image: UnsafePointer<T>, into cols: UnsafeMutablePointer<T>) {
        let stride = spec.stride
        forEachLine { line, source, inside in
            let out = cols + line
            guard let source else { return out.initialize(repeating: 0, count: outWidth) }
            out.initialize(repeating: 0, count: inside.lowerBound)
            if stride == 1 {
                (out + inside.lowerBound).initialize(from: image + source + inside.lowerBound, count: inside.count)
            } else {
                for ow in inside { out[ow] = image[source + ow * stride] }
            }
            (out + inside.upperBound).initialize(repeating: 0, count: outWidth - inside.upperBound)
        }
    }

    /// image += each element of cols[rows, positions] at the pixel its window position reads.
    func scatterAdd<T: TensorElement>(_ cols: UnsafePointer<T>, into image: UnsafeMutablePointer<T>) {
        let stride = spec.stride
        forEachLine { line, source, inside in
            guard let source else { return }
            for ow in inside { image[source + ow * stride] += cols[line + ow] }
        }
    }

    /// Calls `body(line, source, inside)` for every line of the matrix: `line` is the
    /// offset of its first element, `source` the image offset that output column 0 would
    /// read (nil when the whole line is in the padding), and `inside` the output columns
    /// that read a pixel, at `source + ow·stride`.
    @inline(__always)
    private func forEachLine(_ body: (_ line: Int, _ source: Int?, _ inside: Range<Int>) -> Void) {
        let (k, s, p, d) = (spec.kernel, spec.stride, spec.padding, spec.dilation)
        for ci in 0..<channels {
            for ki in 0..<k {
                for kj in 0..<k {
                    let row = (ci * k + ki) * k + kj
                    // ow·s − p + kj·d ∈ [0, width)  ⇔  ow ∈ [⌈(p − kj·d)/s⌉, ⌈(width + p − kj·d)/s⌉).
                    let first = Swift.min(outWidth, Swift.max(0, Self.ceilDiv(p - kj * d, s)))
                    let inside = first..<Swift.min(outWidth, Swift.max(first, Self.ceilDiv(width + p - kj * d, s)))
                    for oh in 0..<outHeight {
                        let ih = oh * s - p + ki * d
                        let source = ih >= 0 && ih < height ? (ci * height + ih) * width + kj * d - p : nil
                        body(row * positions + oh * outWidth, source, inside)
                    }
                }
            }
        }
    }

    /// ⌈a / b⌉ for b > 0 and any sign of a.
    private static func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -(-a / b) }
}
