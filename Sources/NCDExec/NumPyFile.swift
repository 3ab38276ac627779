import Foundation
import NCDFiles
import NCDTensor

/// NumPy `.npy` files (format 1.0/2.0, C order): float32 and float64 and integer arrays
/// read as float32; float32 written.
public enum NumPyFile {
    public enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        case unsupported(String)

        public var description: String {
            switch self {
            case .malformed(let why): return "not a valid .npy file: \(why)"
            case .unsupported(let what): return "unsupported .npy content: \(what)"
            }
        }
    }

    /// The longest header read, NumPy's default `max_header_size`.
    public static let maximumHeaderSize = 10_000

    /// What a file's elements were before they were read as float32.
    public enum ElementKind: String, Sendable {
        case float, integer, boolean
    }

    /// Parses `.npy` bytes into a shape and float32 values.
    public static func read(_ data: [UInt8]) throws -> Tensor<Float> { try readArray(data).tensor }

    /// Parses `.npy` bytes into a shape and float32 values, with the kind of element the
    /// file held and its dtype as NumPy writes it (`<i8`).
    public static func readArray(_ data: [UInt8]) throws -> (tensor: Tensor<Float>, kind: ElementKind, dtype: String) {
        guard data.count >= 10, data[0] == 0x93, Array(data[1..<6]) == Array("NUMPY".utf8) else {
            throw Failure.malformed("missing the \\x93NUMPY magic")
        }
        let major = data[6]
        let headerStart = major == 1 ? 10 : 12
        guard major == 1 || major == 2, data.count >= headerStart else { throw Failure.malformed("version \(major)") }
        let headerLength =
            major == 1
            ? Int(data[8]) | Int(data[9]) << 8
            : Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
        // NumPy's own reader refuses headers over `max_header_size` (10,000 bytes): a hostile
        // file must not make the parser read megabytes of "header".
        guard headerLength <= maximumHeaderSize else {
            throw Failure.malformed(
                "header of \(headerLength) bytes (at most \(maximumHeaderSize) are read, as NumPy's max_header_size)")
        }
        guard headerStart + headerLength <= data.count else {
            throw Failure.malformed("header runs past the end of the file")
        }
        let header = String(decoding: data[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), let shapeText = field("shape", in: header) else {
            throw Failure.malformed(
                "header lacks `descr` or `shape`: \(header.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        if field("fortran_order", in: header) == "True" { throw Failure.unsupported("Fortran order") }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { text -> Int in
                guard let n = Int(text), n >= 0 else { throw Failure.malformed("shape \(shapeText)") }
                return n
            }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let body = Array(data[(headerStart + headerLength)...])
        let descriptor = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        let width: Int
        switch descriptor {
        case "<f4", "<i4", "<u4": width = 4
        case "<f8", "<i8", "<u8": width = 8
        case "<i2", "<u2": width = 2
        case "|i1", "|u1", "|b1": width = 1
        default: throw Failure.unsupported("dtype \(descriptor) (float32, float64 and little-endian integers are read)")
        }
        guard count < Int.max / width else {
            throw Failure.malformed("shape \(shape) holds more than \(Int.max / width) elements of \(width) bytes")
        }
        guard body.count == count * width else {
            throw Failure.malformed(
                "shape \(shape) needs \(count) elements of \(width) bytes, but \(body.count) bytes follow the header")
        }
        var values = [Float](repeating: 0, count: count)
        body.withUnsafeBytes { raw in
            for i in 0..<count {
                let at = i * width
                switch descriptor {
                case "<f4":
                    values[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian)
                case "<f8":
                    values[i] = Float(
                        Double(bitPattern: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian))
                case "<i4":
                    values[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self)))
                case "<u4":
                    values[i] = Float(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                case "<i8":
                    values[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int64.self)))
                case "<u8":
                    values[i] = Float(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
                case "<i2":
                    values[i] = Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int16.self)))
                case "<u2":
                    values[i] = Float(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
                case "|i1": values[i] = Float(raw.load(fromByteOffset: at, as: Int8.self))
                default: values[i] = Float(raw.load(fromByteOffset: at, as: UInt8.self))
                }
            }
        }
        let kind: ElementKind =
            descriptor.hasSuffix("f4") || descriptor.hasSuffix("f8")
            ? .float : descriptor == "|b1" ? .boolean : .integer
        return (try Tensor(shape: shape, values), kind, descriptor)
    }

    /// `.npy` bytes (format 1.0, `<f4`, C order) for a tensor.
    public static func encode(_ t: Tensor<Float>) -> [UInt8] {
        let shape = t.shape.count == 1 ? "(\(t.shape[0]),)" : "(\(t.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        // Magic (6) + version (2) + length (2) + header + newline, padded to 64 bytes.
        let padding = 64 - (10 + header.utf8.count + 1) % 64
        header += String(repeating: " ", count: padding % 64) + "\n"
        var bytes: [UInt8] =
            [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        bytes.reserveCapacity(bytes.count + t.count * 4)
        for v in t.storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        return bytes
    }

    /// Writes a tensor as a `.npy` file, atomically.
    public static func write(_ t: Tensor<Float>, to path: String) throws {
        try AtomicFile.write(encode(t), to: path)
    }

    /// The value of `'key': value` in a header dict.
    static func field(_ key: String, in header: String) -> String? {
        guard let start = header.range(of: "'\(key)':") else { return nil }
        let rest = header[start.upperBound...].trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("(") {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        return rest.split(separator: ",", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
