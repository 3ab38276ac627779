/// exp for float32 rows as plain arithmetic, with no library call in the loop, so LLVM
/// can vectorise it: Cephes' expf (n = round(x/ln 2) by the 1.5·2²³ trick, r = x − n·ln 2
/// in two parts, a degree-6 polynomial, 2ⁿ built in the exponent bits). Relative error
/// about 1e-7; inputs are clamped to [−87.3, 88.7], the range of normal results.
@inline(__always)
func fastExp(_ input: Float) -> Float {
    let x = Swift.min(Swift.max(input, -87.3365), 88.7228)
    let magic: Float = 12_582_912
    let shifted = x * 1.442695040888963 + magic
    let n = shifted - magic
    var r = x - n * 0.693359375
    r = r - n * -2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let e = p * r * r + r + 1
    let exponent = (shifted.bitPattern &- magic.bitPattern &+ 127) &<< 23
    return e * Float(bitPattern: exponent)
}

extension TensorElement {
    /// Replaces `count` contiguous elements by their exponentials.
    @inline(__always)
    static func exponentiate(_ x: UnsafeMutablePointer<Self>, count: Int) {
        if Self.self == Float.self {
            x.withMemoryRebound(to: Float.self, capacity: count) { f in
                for i in 0..<count { f[i] = fastExp(f[i]) }
            }
        } else {
            for i in 0..<count { x[i] = Self.exp(x[i]) }
        }
    }
}
