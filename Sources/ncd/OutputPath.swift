import Foundation

/// Checks made before a command does its work, so that an output it cannot write is
/// refused at once, not after a render or a training run.
enum OutputPath {
    /// Refuses a path whose folder is missing or not writable, or that is a folder itself.
    static func checkWritable(_ path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError.usage("cannot write \(path): no folder \(folder)")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CLIError.usage("cannot write \(path): it is a folder")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw CLIError.usage("cannot write \(path): \(folder) is not writable")
        }
    }
}
