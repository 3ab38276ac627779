import Foundation
import NCDCore
import NCDTensor
import ZIPFoundation

/// Named arrays read for training or evaluation: a `.npz` archive, stored or deflated as
/// `numpy.savez` and `numpy.savez_compressed` write it, or a folder of `.npy` files, each
/// array named by its file's name without `.npy`.
public struct Dataset {
    /// One array, with what it held before it was read as float32.
    public struct Array {
        public let name: String
        public let tensor: Tensor<Float>
        public let kind: NumPyFile.ElementKind
        /// NumPy's dtype string (`<i8`), for messages.
        public let dtype: String

        public init(name: String, tensor: Tensor<Float>, kind: NumPyFile.ElementKind, dtype: String) {
            self.name = name
            self.tensor = tensor
            self.kind = kind
            self.dtype = dtype
        }
    }

    /// Where it was read from, for messages.
    public let path: String
    /// The arrays, sorted by name.
    public let arrays: [Array]

    public init(path: String, arrays: [Array]) {
        self.path = path
        self.arrays = arrays.sorted { $0.name < $1.name }
    }

    public subscript(name: String) -> Array? { arrays.first { $0.name == name } }

    /// Reads a `.npz` file or a folder of `.npy` files. Nothing is read past `byteLimit`
    /// bytes of array data (a hostile archive may claim little and inflate to much).
    public static func read(_ path: String, byteLimit: Int) throws -> Dataset {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ExecError.input("cannot read \(path): no such file or folder")
        }
        return isFolder.boolValue
            ? try readFolder(path, byteLimit: byteLimit) : try readArchive(path, byteLimit: byteLimit)
    }

    static func readFolder(_ path: String, byteLimit: Int) throws -> Dataset {
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".npy") }.sorted()
        guard !names.isEmpty else { throw ExecError.input("\(path) holds no .npy files") }
        var (total, floats) = (0, 0)
        let arrays = try names.map { file -> Array in
            let full = (path as NSString).appendingPathComponent(file)
            let size = (try? FileManager.default.attributesOfItem(atPath: full)[.size] as? Int) ?? 0
            total += size
            guard total <= byteLimit else { throw tooLarge(path, byteLimit) }
            guard let data = FileManager.default.contents(atPath: full) else {
                throw ExecError.input("cannot read \(full)")
            }
            let read = try array(named: String(file.dropLast(4)), from: [UInt8](data), in: full)
            floats += read.tensor.count * 4
            guard floats <= byteLimit else { throw tooLarge(path, byteLimit) }
            return read
        }
        return Dataset(path: path, arrays: arrays)
    }

    static func readArchive(_ path: String, byteLimit: Int) throws -> Dataset {
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw ExecError.input(
                "\(path) is not a .npz file (a zip archive of .npy files, as numpy.savez writes): it is damaged, cut short or another kind of file"
            )
        }
        return try read(archive, path: path, byteLimit: byteLimit)
    }

    static func read(_ archive: Archive, path: String, byteLimit: Int) throws -> Dataset {
        var arrays: [Array] = []
        var (total, floats) = (0, 0)
        for entry in archive where entry.type == .file {
            guard entry.path.hasSuffix(".npy") else {
                throw ExecError.input("\(path) holds `\(entry.path)`, which is not a .npy array")
            }
            let (sum, overflow) = total.addingReportingOverflow(Int(clamping: entry.uncompressedSize))
            guard !overflow, sum <= byteLimit else { throw tooLarge(path, byteLimit) }
            total = sum
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(entry.uncompressedSize))
            let declared = Int(entry.uncompressedSize)
            do {
                let checksum = try archive.extract(entry) { chunk in
                    // An entry that inflates past what it declared is refused, not followed.
                    guard bytes.count + chunk.count <= declared else { throw ExecError.input("") }
                    bytes += chunk
                }
                // As numpy does: data whose CRC-32 is not the one recorded is damaged.
                guard checksum == entry.checksum, bytes.count == declared else { throw ExecError.input("") }
            } catch {
                throw ExecError.input("\(path): `\(entry.path)` cannot be read: it is damaged or not as it declares")
            }
            let read = try array(named: String(entry.path.dropLast(4)), from: bytes, in: "\(path)/\(entry.path)")
            // Held as float32: a byte array takes four times its file's room.
            floats += read.tensor.count * 4
            guard floats <= byteLimit else { throw tooLarge(path, byteLimit) }
            arrays.append(read)
        }
        guard !arrays.isEmpty else { throw ExecError.input("\(path) holds no arrays") }
        return Dataset(path: path, arrays: arrays)
    }

    static func array(named name: String, from bytes: [UInt8], in source: String) throws -> Array {
        do {
            let (tensor, kind, dtype) = try NumPyFile.readArray(bytes)
            if kind == .float, let bad = tensor.storage.firstIndex(where: { !$0.isFinite }) {
                throw ExecError.input("\(source): array `\(name)` holds \(tensor.storage[bad]) at position \(bad)")
            }
            return Array(name: name, tensor: tensor, kind: kind, dtype: dtype)
        } catch let error as NumPyFile.Failure {
            throw ExecError.input("\(source): \(error)")
        }
    }

    static func tooLarge(_ path: String, _ limit: Int) -> ExecError {
        .memory("\(path) holds more than \(formattedBytes(limit)) of arrays, more than this process may use")
    }
}
