import Foundation
import NCDCore
import NCDSyntax

/// Text reports of a checked file: every wire's type, and the cost table.
public enum Report {
    /// Each diagram's signature, then every named value with its type and source line.
    public static func types(_ result: CheckResult) -> String {
        var out = ""
        if !result.axes.isEmpty {
            out += "axes\n"
            for a in result.axes {
                out += "  \(a.name) = \(a.isFree ? "free" : a.size.description)\n"
            }
        }
        for d in result.diagrams {
            out += "\ndiagram \(d.name)\n"
            guard let g = d.graph else {
                if d.isAbstract {
                    out += "  abstract: \(d.signature)\n"
                    continue
                }
                out +=
                    d.isCalled
                    ? "  (generic in its size parameters: checked at each call)\n"
                    : "  (not checked: give its size parameters defaults, or call it)\n"
                continue
            }
            if !g.sizeArguments.isEmpty {
                out += "  with " + g.sizeArguments.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") + "\n"
            }
            for v in g.values where v.name != nil {
                let line = result.unit.file.line(of: v.location.start)
                let role = g.inputs.contains(v.id) ? "input " : ""
                out += "  \(pad("\(line):", 5)) \(role)\(v.name!) : \(v.type)\(elements(v.type))\n"
            }
            for (i, o) in g.outputs.enumerated() {
                out += "  output \(i + 1) : \(g.type(of: o))\(elements(g.type(of: o)))\n"
            }
        }
        return out
    }

    /// The per-operation cost table of one diagram and its totals. `place` turns an
    /// operation's source offset into the location shown (by default its line number).
    public static func cost(_ result: CheckResult, diagram name: String? = nil, place: ((Int) -> String)? = nil)
        -> String
    {
        let place = place ?? { "\(result.unit.file.line(of: $0))" }
        var out = ""
        for d in result.diagrams where name == nil || d.name == name {
            guard let g = d.graph else { continue }
            out += "diagram \(d.name)\n"
            var rows: [[String]] = [["line", "operation", "instance", "output", "FLOPs", "params", "bytes out"]]
            do {
                for op in g.operations where !op.kind.isMemoryAccess {
                    let c = try g.cost(of: op)
                    let out = op.outputs.map { "\(g.type(of: $0))" }.joined(separator: ", ")
                    rows.append([
                        place(op.location.start), op.kind.mnemonic, op.instancePath,
                        out, c.flops.description, c.parameters.description, c.outputBytes.description,
                    ])
                }
                let total = try g.totalCost()
                rows.append([
                    "", "total", "", "", total.flops.description, total.parameters.description,
                    total.outputBytes.description,
                ])
            } catch {
                out += "  (cost overflows 64-bit integers)\n"
                continue
            }
            out += table(rows) + "\n"
        }
        return out
    }

    /// `  (320 elements, 1.2 KiB)` when every size of `t` is known, else empty.
    public static func elements(_ t: ArrayType) -> String {
        guard let n = try? t.elementCount(), let count = n.intValue, !t.axes.isEmpty else { return "" }
        let total = count.multipliedReportingOverflow(by: bytesPerElement)
        return
            "  (\(count) element\(count == 1 ? "" : "s"), \(total.overflow ? "over 8 EiB" : bytes(total.partialValue)))"
    }

    /// A byte count in binary units: `512 B`, `1.2 KiB`, `64.0 MiB`.
    public static func bytes(_ n: Int) -> String { formattedBytes(n) }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            "  "
                + row.enumerated().map { c, cell in
                    c >= 4 ? String(repeating: " ", count: widths[c] - cell.count) + cell : pad(cell, widths[c])
                }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
