import Foundation
import NCDTensor

/// One-line summaries of tensors, as `ncd run` and the REPL's `:run` print them.
public enum Statistics {
    /// `shape 2×10  mean 0.1  std 0.29  min 0  max 1`.
    public static func describe(_ t: Tensor<Float>) -> String {
        let n = Double(max(t.count, 1))
        let mean = t.storage.reduce(0.0) { $0 + Double($1) } / n
        let variance = t.storage.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        let shape = t.shape.isEmpty ? "scalar" : t.shape.map(String.init).joined(separator: "×")
        return String(
            format: "shape %@  mean %.6g  std %.6g  min %.6g  max %.6g", shape, mean, variance.squareRoot(),
            Double(t.storage.min() ?? 0), Double(t.storage.max() ?? 0))
    }
}
