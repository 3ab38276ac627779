import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes files whole or not at all, safely beside other writers of the same path.
///
/// A write goes to a temporary file with a unique name in the target's folder (`mkstemp`),
/// is flushed to disk (`fsync`) and then renamed over the target. POSIX `rename` is atomic:
/// a reader sees the old file or the new one, never a part, and of two processes writing one
/// path the last rename wins, with no moment at which the path is missing. The temporary is
/// removed on an error and on SIGINT or SIGTERM; one a killed process left behind is removed
/// by the next write to that folder once it is a day old.
public enum AtomicFile {
    /// Why a write failed, with the path and the system's reason.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// The marker in temporaries' names: `.NAME.ncd-tmp-XXXXXX`.
    static let marker = ".ncd-tmp-"
    /// How old a leftover temporary must be before a write removes it.
    static let staleAge: TimeInterval = 24 * 60 * 60

    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        removeStaleTemporaries(in: folder)
        var template = Array("\(folder)/.\(url.lastPathComponent)\(marker)XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        let temporary = String(cString: template)
        PendingTemporaries.shared.add(temporary)
        defer { PendingTemporaries.shared.remove(temporary) }
        do {
            try writeAll(bytes, to: fd, path: path)
            // mkstemp makes the file 0600; a written file gets the usual mode under the umask.
            let mask = umask(0)
            umask(mask)
            fchmod(fd, 0o666 & ~mask)
            guard fsync(fd) == 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
            close(fd)
            guard rename(temporary, path) == 0 else {
                throw Failure(path: path, reason: String(cString: strerror(errno)))
            }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
                offset += n
            }
        }
    }

    /// Removes temporaries in `folder` that a process killed mid-write left, once they are
    /// older than ``staleAge`` (a younger one may belong to a write under way).
    static func removeStaleTemporaries(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let now = Date()
        for name in names where name.hasPrefix(".") && name.contains(marker) {
            let path = "\(folder)/\(name)"
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                now.timeIntervalSince(modified) > staleAge
            else { continue }
            unlink(path)
        }
    }
}

/// The temporaries being written now, so a SIGINT or SIGTERM removes them before the
/// process ends. The handlers are installed only while a write is under way (the REPL's
/// own Ctrl-C handling is back as soon as it ends). A signal the program handles itself
/// (`ncd train` stops after a step on Ctrl-C and writes a checkpoint) is passed to its
/// handler and the write goes on to its end. The handler only reads fixed tables and calls
/// `unlink`, which is async-signal-safe.
final class PendingTemporaries: @unchecked Sendable {
    static let shared = PendingTemporaries()
    static let capacity = 64
    static let signals = [SIGINT, SIGTERM]
    /// The table the handler reads: a path per slot, or nil.
    let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
    /// The program's own handler of each signal, by number, while a write is under way.
    let forwarded = UnsafeMutablePointer<sighandler_t?>.allocate(capacity: 65)
    private let lock = NSLock()
    private var pending = 0
    private var previous: [Int32: sighandler_t?] = [:]

    private init() {
        slots.initialize(repeating: nil, count: Self.capacity)
        forwarded.initialize(repeating: nil, count: 65)
    }

    func add(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        if let free = (0..<Self.capacity).first(where: { slots[$0] == nil }) { slots[free] = strdup(path) }
        pending += 1
        if pending == 1 {
            for sig in Self.signals {
                let old = signal(sig, pendingTemporariesHandler)
                previous[sig] = old
                // SIG_DFL and SIG_IGN are the addresses 0 and 1, not functions.
                forwarded[Int(sig)] = old.flatMap { unsafeBitCast($0, to: Int.self) > 1 ? $0 : nil }
            }
        }
    }

    func remove(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        for i in 0..<Self.capacity {
            if let p = slots[i], String(cString: p) == path {
                slots[i] = nil
                free(p)
            }
        }
        pending -= 1
        if pending == 0 { for sig in Self.signals { signal(sig, previous[sig] ?? SIG_DFL) } }
    }
}

extension AtomicFile {
    /// Unlinks the temporaries of the writes under way: for a signal handler that ends the
    /// process itself (async-signal-safe: it reads a fixed table and calls `unlink`).
    public static func removePendingTemporaries() {
        let table = PendingTemporaries.shared.slots
        for i in 0..<PendingTemporaries.capacity {
            if let p = table[i] { unlink(p) }
        }
    }
}

/// Passes the signal to the program's own handler, if it has one; otherwise unlinks the
/// pending temporaries and ends the process as the signal would have.
private func pendingTemporariesHandler(_ sig: Int32) {
    if let own = PendingTemporaries.shared.forwarded[Int(sig)] {
        own(sig)
        return
    }
    AtomicFile.removePendingTemporaries()
    signal(sig, SIG_DFL)
    raise(sig)
}
