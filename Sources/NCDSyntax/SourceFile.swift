import Foundation

/// A source text with its name, kept as UTF-8 bytes so the lexer can scan it quickly.
///
/// Locations are byte offsets; line and column are computed on demand, the column counting
/// characters (grapheme clusters) so that carets line up under `x̄` and friends.
public final class SourceFile: @unchecked Sendable {
    /// The name shown in diagnostics, usually the path given on the command line.
    public let name: String
    /// The text, as UTF-8. Invalid bytes are kept; the lexer reports them.
    public let bytes: [UInt8]
    /// Byte offset at which each line starts.
    public let lineStarts: [Int]

    /// Creates a source file from raw bytes, which need not be valid UTF-8.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// Creates a source file from a string.
    public convenience init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// The 1-based line containing a byte offset.
    public func line(of offset: Int) -> Int {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// The text of a 1-based line, without its newline; invalid bytes become U+FFFD.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The 1-based line and character column of a byte offset.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        let clamped = min(max(0, offset), bytes.count)
        let line = line(of: clamped)
        let start = lineStarts[line - 1]
        if clamped - start > Self.longLine, let starts = characterStarts(ofLine: line) {
            // Characters starting before the offset, by binary search: a file written on one
            // line must not make each of its diagnostics count the line again.
            var (lo, hi) = (0, starts.count)
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid] < clamped - start { lo = mid + 1 } else { hi = mid }
            }
            return (line, lo + 1)
        }
        let prefix = String(decoding: bytes[start..<clamped], as: UTF8.self)
        return (line, prefix.count + 1)
    }

    /// Characters `columns` (0-based, clamped) of a 1-based line, and the line's length in
    /// characters: what a diagnostic shows of a long line, without decoding all of it.
    public func lineCharacters(_ line: Int, _ columns: Range<Int>) -> (text: String, length: Int) {
        guard line >= 1, line <= lineStarts.count else { return ("", 0) }
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        guard end - start > Self.longLine, let starts = characterStarts(ofLine: line) else {
            let all = Array(lineText(line))
            let range = min(columns.lowerBound, all.count)..<min(columns.upperBound, all.count)
            return (String(all[range]), all.count)
        }
        // The newline is a character of the indexed line; the text shown stops before it.
        let length =
            bytes[end..<min(end + 1, bytes.count)].first == UInt8(ascii: "\n") ? starts.count - 1 : starts.count
        let lo = min(columns.lowerBound, length)
        let hi = min(columns.upperBound, length)
        let from = start + starts[lo]
        let to = hi < starts.count ? start + starts[hi] : end
        return (String(decoding: bytes[from..<max(from, to)], as: UTF8.self), length)
    }

    /// Lines longer than this (in bytes) have their characters' offsets indexed once.
    static let longLine = 512
    private var characterStartsByLine: [Int: [Int]] = [:]
    private let cacheLock = NSLock()

    /// The byte offset, from the line's start, at which each character of a line starts; nil
    /// for a line that is not valid UTF-8 (whose columns are counted the slow way).
    private func characterStarts(ofLine line: Int) -> [Int]? {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let cached = characterStartsByLine[line] { return cached }
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] : bytes.count
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        guard text.utf8.count == end - start else { return nil }
        let starts = text.indices.map { text.utf8.distance(from: text.startIndex, to: $0) }
        characterStartsByLine[line] = starts
        return starts
    }

    /// The source text covered by a range.
    public func text(in range: SourceRange) -> String {
        let lo = min(max(0, range.start), bytes.count)
        let hi = min(max(lo, range.end), bytes.count)
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}

/// A half-open range of byte offsets in one source file.
public struct SourceRange: Hashable, Sendable {
    /// First byte covered.
    public var start: Int
    /// One past the last byte covered.
    public var end: Int

    /// Creates a range; an empty range marks a point.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    /// An empty range at this range's end, where "expected …" errors point.
    public var endPoint: SourceRange { SourceRange(start: end, end: end) }
}
