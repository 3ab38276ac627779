import NCDCore
import NCDSyntax

/// An instance made in one diagram: its label, where its path lies, what it is, and the
/// parameters it owns.
struct InstanceRecord {
    var label: InstanceLabel
    /// The label's path, segment by segment (`["units", "0", "conv1"]`).
    var segments: [String]
    var kind: OperationKind
    var parameters: [Parameter]
    var range: SourceRange
}

/// The instance names of one instantiation: paths under the call's prefix and the loop
/// iterations under way, default names (`linear1`, `linear2`), and the instances made so
/// far. Paths are kept as segments, so nothing splits a dotted name again.
struct InstanceNaming {
    /// The instantiation's own path, e.g. `["encoder", "attn"]`; empty at the root.
    let prefix: [String]
    private var counters: [String: Int] = [:]
    private var instances: [String: InstanceRecord] = [:]

    init(prefix: [String]) {
        self.prefix = prefix
    }

    /// The segments of the current scope: loop labels and iteration numbers (from 0, as
    /// `nn.ModuleList`'s) under the prefix.
    func scope(_ frames: [LoopFrame]) -> [String] {
        prefix + frames.flatMap { [$0.label, String($0.ordinal)] }
    }

    /// The instance made at a path, if any.
    subscript(path: String) -> InstanceRecord? { instances[path] }

    /// A label for `name` written by the user (`as NAME`) in the current scope.
    func chosen(_ name: String, _ frames: [LoopFrame]) -> (label: InstanceLabel, segments: [String]) {
        let segments = scope(frames) + [name]
        return (InstanceLabel(path: segments.joined(separator: "."), name: name, isChosen: true), segments)
    }

    /// The next default name with this stem in the current scope: `linear1`, `linear2`, …
    mutating func nextDefaultName(_ stem: String, _ frames: [LoopFrame]) -> String {
        let key = scope(frames).joined(separator: ".") + "/" + stem
        counters[key, default: 0] += 1
        return "\(stem)\(counters[key, default: 1])"
    }

    /// A fresh default instance in the current scope, skipping names already taken. In a
    /// loop whose iterations are one instance each (`soleInstance`), the iteration itself.
    mutating func freshDefault(_ stem: String, _ frames: [LoopFrame], soleInstance: Bool = false)
        -> (label: InstanceLabel, segments: [String])
    {
        if soleInstance, let frame = frames.last {
            let segments = scope(frames)
            let path = segments.joined(separator: ".")
            if instances[path] == nil {
                return (InstanceLabel(path: path, name: String(frame.ordinal), isChosen: false), segments)
            }
        }
        while true {
            let name = nextDefaultName(stem, frames)
            let segments = scope(frames) + [name]
            let path = segments.joined(separator: ".")
            if instances[path] == nil { return (InstanceLabel(path: path, name: name, isChosen: false), segments) }
        }
    }

    /// The instance `shares NAME` refers to, searching from the innermost scope outwards (so
    /// a loop body can share with a layer defined before the loop).
    func visible(_ name: String, _ frames: [LoopFrame]) -> InstanceRecord? {
        var parts = scope(frames)
        while true {
            if let record = instances[(parts + [name]).joined(separator: ".")] { return record }
            if parts.isEmpty { return nil }
            parts.removeLast()
        }
    }

    mutating func record(_ record: InstanceRecord) {
        instances[record.label.path] = record
    }
}
