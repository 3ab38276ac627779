// Release-mode benchmark of parse + check: `swift run -c release ncd-check-bench [--lines N] [--runs R]`.
//
// Generates an .ncd file of N lines (default 10,000): blocks of axes and diagrams with
// linear maps, einsums, norms, softmax, calls with generic axes and `over` broadcasting, so
// that every phase (lexing, parsing, name resolution, size algebra, instantiation) is
// exercised. Prints the median of R runs, and the minimum and maximum.

import Foundation
import NCDCheck
import NCDSyntax

func argument(_ name: String, default value: Int) -> Int {
    guard let i = CommandLine.arguments.firstIndex(of: name), i + 1 < CommandLine.arguments.count,
        let n = Int(CommandLine.arguments[i + 1])
    else { return value }
    return n
}

/// One block of 20 lines: three axes and two diagrams, the second calling the first.
func block(_ i: Int) -> String {
    """
    axis m\(i) = \(64 + i % 7), k\(i) = 16, h\(i) = 4, f\(i) = 4 * m\(i)
    diagram Attend\(i)<y, x>(q: [y, k\(i)], keys: [x, k\(i)], v: [x, k\(i)]) -> [y, k\(i)] {
      s = einsum[y k\(i), x k\(i) -> y x](q, keys) * k\(i)^-0.5
      a = softmax[x](s)
      return einsum[y x, x k\(i) -> y k\(i)](a, v)
    }
    diagram Layer\(i)(t: [b, seq, m\(i)]) -> [b, seq, m\(i)] {
      n = layernorm[m\(i)](t)
      q = linear[m\(i) -> k\(i) h\(i)](n) as q
      keys = linear[m\(i) -> k\(i) h\(i)](n) as k
      v = linear[m\(i) -> k\(i) h\(i)](n) as v
      o = Attend\(i)(q, keys, v) over b h\(i)
      t = t + linear[k\(i) h\(i) -> m\(i)](o) as o
      u = relu(linear[m\(i) -> f\(i)](layernorm[m\(i)](t)))
      t = t + linear[f\(i) -> m\(i)](u)
      r = rearrange[b seq -> seq b](t)
      w = rearrange[seq b -> b seq](r)
      return w
    }
    # block \(i) ends

    """
}

let lines = argument("--lines", default: 10_000)
let runs = argument("--runs", default: 21)
var text = "axis b = 8, seq = 128\n"
var i = 0
var generated = 1
while generated < lines {
    let piece = block(i)
    text += piece
    generated += piece.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    i += 1
}
let file = SourceFile(name: "generated.ncd", text: text)
let lineCount = file.lineStarts.count

var times: [Double] = []
var result: CheckResult?
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    result = Checker.check(file)
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
}
times.sort()
let errors = result!.diagnostics.filter { $0.severity == .error }
if !errors.isEmpty {
    print("benchmark input has errors: \(errors.prefix(3).map(\.message))")
    exit(1)
}
let operations = result!.diagrams.compactMap(\.graph).reduce(0) { $0 + $1.operations.count }
print(
    "parse + check of \(lineCount) lines (\(result!.diagrams.count) diagrams, \(operations) top-level operations), \(runs) runs:"
)
print(
    String(
        format: "  median %.1f ms, min %.1f ms, max %.1f ms", times[times.count / 2], times[0], times[times.count - 1]))
