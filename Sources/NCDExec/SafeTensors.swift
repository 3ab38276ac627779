import Foundation
import NCDCore
import NCDTensor

/// The `.safetensors` format: an 8-byte little-endian header length, a JSON header mapping
/// names to dtype, shape and byte offsets, then the raw little-endian data. Writes F32;
/// reads F32, F64, F16 and BF16 as float32.
public enum SafeTensors {
    public enum Failure: Error, CustomStringConvertible {
        case malformed(String)
        case mismatch(missing: [String], extra: [String], misshaped: [String])

        public var description: String {
            switch self {
            case .malformed(let why): return "not a valid .safetensors file: \(why)"
            case .mismatch(let missing, let extra, let misshaped):
                var parts: [String] = []
                if !missing.isEmpty { parts.append("missing: \(missing.joined(separator: ", "))") }
                if !extra.isEmpty { parts.append("not parameters of this diagram: \(extra.joined(separator: ", "))") }
                if !misshaped.isEmpty { parts.append("wrong shape: \(misshaped.joined(separator: "; "))") }
                return "the weights do not match the diagram's parameters (\(parts.joined(separator: "; ")))"
            }
        }
    }

    /// Encodes named tensors, sorted by name for byte-identical files, with string
    /// metadata in the header's `__metadata__` when given.
    public static func encode(_ tensors: [String: Tensor<Float>], metadata: [String: String] = [:]) throws -> [UInt8] {
        var offset = 0
        var header: [String: Any] = metadata.isEmpty ? [:] : ["__metadata__": metadata]
        var body: [UInt8] = []
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + t.count * 4]]
            for v in t.storage { withUnsafeBytes(of: v.bitPattern.littleEndian) { body += $0 } }
            offset += t.count * 4
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned, as the format advises.
        json += Data(repeating: UInt8(ascii: " "), count: (8 - json.count % 8) % 8)
        let length = UInt64(json.count).littleEndian
        return withUnsafeBytes(of: length) { Array($0) } + Array(json) + body
    }

    /// The longest header read: the safetensors crate's limit.
    public static let maximumHeaderSize = 100_000_000
    /// The most tensors one file may hold.
    public static let maximumEntries = 100_000

    /// Decodes every tensor of a file. As the reference implementation does, the header is
    /// at most 100 MB, and the tensors' byte ranges, in order, must tile the data exactly:
    /// none may overlap another or leave a gap.
    public static func decode(_ bytes: [UInt8]) throws -> [String: Tensor<Float>] {
        try decodeWithMetadata(bytes).tensors
    }

    /// Decodes every tensor of a file and the string metadata of its header.
    public static func decodeWithMetadata(_ bytes: [UInt8]) throws -> (
        tensors: [String: Tensor<Float>], metadata: [String: String]
    ) {
        guard bytes.count >= 8 else { throw Failure.malformed("shorter than its 8-byte header length") }
        let length = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(maximumHeaderSize) else {
            throw Failure.malformed("header of \(length) bytes (at most \(maximumHeaderSize) are read)")
        }
        guard length <= UInt64(bytes.count - 8) else {
            throw Failure.malformed("header length \(length) runs past the end of the file")
        }
        let start = 8 + Int(length)
        guard let header = try? JSONSerialization.jsonObject(with: Data(bytes[8..<start])) as? [String: Any] else {
            throw Failure.malformed("the header is not a JSON object")
        }
        guard header.count <= maximumEntries + 1 else {
            throw Failure.malformed("\(header.count) entries (at most \(maximumEntries) tensors are read)")
        }
        var result: [String: Tensor<Float>] = [:]
        var ranges: [(name: String, range: Range<Int>)] = []
        for (name, entry) in header.sorted(by: { $0.key < $1.key }) where name != "__metadata__" {
            guard let e = entry as? [String: Any] else {
                throw Failure.malformed("entry `\(Self.quoted(name))` is not an object")
            }
            guard let dtype = e["dtype"] as? String else {
                throw Failure.malformed("entry `\(Self.quoted(name))` has no dtype")
            }
            guard let shape = e["shape"] as? [Int], shape.allSatisfy({ $0 >= 0 }) else {
                throw Failure.malformed("entry `\(Self.quoted(name))` has no shape of whole numbers")
            }
            guard let offsets = e["data_offsets"] as? [Int], offsets.count == 2 else {
                throw Failure.malformed("entry `\(Self.quoted(name))` has no [begin, end] data_offsets")
            }
            let width = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4][dtype]
            guard let width else {
                throw Failure.malformed("`\(name)` has dtype \(dtype) (F32, F64, F16, BF16, I64 and I32 are read)")
            }
            // Checked products: a hostile header must give an error, not an overflow trap.
            var count = 1
            for n in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow else { throw Failure.malformed("`\(name)`: shape \(shape) is too large") }
                count = product
            }
            let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == bytesNeeded,
                offsets[1] <= bytes.count - start
            else {
                throw Failure.malformed(
                    "`\(Self.quoted(name))`: offsets \(offsets) do not hold \(count) \(dtype) values inside the file")
            }
            ranges.append((name, offsets[0]..<offsets[1]))
            let base = start + offsets[0]
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count {
                var bits: UInt64 = 0
                for b in 0..<width { bits |= UInt64(bytes[base + i * width + b]) << (8 * UInt64(b)) }
                switch dtype {
                case "F32": values[i] = Float(bitPattern: UInt32(bits))
                case "F64": values[i] = Float(Double(bitPattern: bits))
                case "F16": values[i] = Float(Float16(bitPattern: UInt16(bits)))
                // Integers (batch norm's num_batches_tracked is an int64 in PyTorch's files).
                case "I64": values[i] = Float(Int64(bitPattern: bits))
                case "I32": values[i] = Float(Int32(bitPattern: UInt32(truncatingIfNeeded: bits)))
                default: values[i] = Float(bitPattern: UInt32(bits) << 16)  // bfloat16: the high half of a float
                }
            }
            result[name] = try Tensor(shape: shape, values)
        }
        try checkTiling(ranges, dataLength: bytes.count - start)
        var metadata: [String: String] = [:]
        if let entry = header["__metadata__"] {
            guard let strings = entry as? [String: String] else {
                throw Failure.malformed("`__metadata__` is not an object of strings")
            }
            metadata = strings
        }
        return (result, metadata)
    }

    /// The tensors' byte ranges, sorted, must cover the data from its start to its end with
    /// neither overlap nor gap, as the safetensors crate requires.
    static func checkTiling(_ ranges: [(name: String, range: Range<Int>)], dataLength: Int) throws {
        var end = 0
        for (name, range) in ranges.sorted(by: {
            ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
        }) {
            if range.lowerBound < end {
                throw Failure.malformed(
                    "`\(quoted(name))`: its bytes \(range.lowerBound)..<\(range.upperBound) overlap another tensor's")
            }
            if range.lowerBound > end {
                throw Failure.malformed(
                    "`\(quoted(name))` starts at byte \(range.lowerBound), leaving bytes \(end)..<\(range.lowerBound) unused"
                )
            }
            end = range.upperBound
        }
        if end != dataLength {
            throw Failure.malformed("the tensors end at byte \(end) of \(dataLength) bytes of data")
        }
    }

    /// A name as an error quotes it: at most 60 characters, so a hostile name cannot flood it.
    static func quoted(_ name: String) -> String {
        name.count <= 60 ? name : String(name.prefix(57)) + "…"
    }
}

extension Executor {
    /// Every parameter, created if not yet (so weights can be saved before a run).
    public func allParameters() throws -> [String: Tensor<Float>] {
        var seen = Set<String>()
        func visit(_ g: DiagramGraph) throws {
            for op in g.operations {
                for p in op.parameters where seen.insert(p.name).inserted { _ = try parameter(p) }
                if case .call(let child) = op.kind { try visit(child) }
            }
        }
        try visit(graph)
        return parameters.mapValues(\.value)
    }

    /// Replaces the parameters by the given tensors, which must match them exactly: every
    /// parameter present, nothing else, every shape right. A shape that merges neighbouring
    /// axes of ncd's, or splits them, holds the same elements in the same order and is
    /// accepted: PyTorch's `nn.Linear(d, h*k)` weight `[h*k, d]` is ncd's `[h, k, d]`.
    public func load(_ weights: [String: Tensor<Float>]) throws {
        let own = try allParameters()
        let missing = own.keys.filter { weights[$0] == nil }.sorted()
        let extra = weights.keys.filter { own[$0] == nil }.sorted()
        let misshaped = own.keys.sorted().compactMap { name -> String? in
            guard let w = weights[name], let mine = own[name]?.shape, !SafeTensorsLayout.same(w.shape, mine) else {
                return nil
            }
            return "\(name) is \(w.shape), expected \(own[name]!.shape)"
        }
        guard missing.isEmpty, extra.isEmpty, misshaped.isEmpty else {
            throw SafeTensors.Failure.mismatch(missing: missing, extra: extra, misshaped: misshaped)
        }
        for (name, w) in weights { parameters[name]!.update { $0 = w.storage } }
    }
}

/// Shapes that hold the same elements in the same order.
public enum SafeTensorsLayout {
    /// Whether two shapes lay the same elements out in the same row-major order: equal, or
    /// one made by merging neighbouring axes of the other (axes of size 1 aside).
    public static func same(_ a: [Int], _ b: [Int]) -> Bool {
        func merges(_ fine: [Int], into coarse: [Int]) -> Bool {
            let fine = fine.filter { $0 != 1 }
            let coarse = coarse.filter { $0 != 1 }
            var i = 0
            for c in coarse {
                var product = 1
                while product < c, i < fine.count {
                    product *= fine[i]
                    i += 1
                }
                if product != c { return false }
            }
            return i == fine.count
        }
        return a == b || merges(a, into: b) || merges(b, into: a)
    }
}
