import COpenBLAS
import Foundation

/// A scalar type tensors hold: `Float` for work, `Double` for gradient checks.
public protocol TensorElement: BinaryFloatingPoint, Sendable {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    /// log(1 + x), accurate for small x.
    static func log1p(_ x: Self) -> Self

    /// `C = alpha·op(A)·op(B) + beta·C`, row-major: one BLAS call on the calling thread.
    static func blasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension TensorElement {
    /// `C = alpha·op(A)·op(B) + beta·C`, row-major, split across the runtime's threads.
    /// `prepare(block, rows, columns)`, if given, runs on each piece's block of C (its
    /// top-left element, ldc apart) just before the piece's product, on the same thread:
    /// a block that starts as, say, a bias row is then first written where it is computed.
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int,
        prepare: ((_ block: UnsafeMutablePointer<Self>, _ rows: Int, _ columns: Int) -> Void)? = nil
    ) {
        Parallel.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c,
            ldc: ldc
        ) {
            prepare?($4, $0, $1)
            blasGemm(
                transposeA: transposeA, transposeB: transposeB, m: $0, n: $1, k: k, alpha: alpha,
                a: $2, lda: lda, b: $3, ldb: ldb, beta: beta, c: $4, ldc: ldc)
        }
    }
}

/// BLAS's flags for a row-major operand, transposed or not.
private func blasTranspose(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: TensorElement {
    public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    public static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    public static func erf(_ x: Float) -> Float { Foundation.erff(x) }
    public static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
    public static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    public static func log1p(_ x: Float) -> Float { Foundation.log1pf(x) }

    public static func blasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB), blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

extension Double: TensorElement {
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    public static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }

    public static func blasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(
            CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB), blasint(m), blasint(n), blasint(k),
            alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}

/// The number of threads BLAS uses for contractions.
public enum TensorThreads {
    /// Sets the runtime's thread count; results agree across counts up to float rounding.
    /// OpenBLAS itself stays single-threaded: the runtime splits gemms across its own
    /// threads (see `Parallel.gemm`).
    public static func set(_ count: Int) {
        openblas_set_num_threads(1)
        Parallel.threads = max(1, count)
    }
}
