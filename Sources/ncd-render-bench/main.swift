// Release-mode benchmark of rendering: `swift run -c release ncd-render-bench [FILE] [--runs R]`.
//
// Checks FILE (default examples/transformer.ncd) once, then times R runs (default 30) of
// layout (graph → scene) and of drawing the scene to PNG at scale 2, and prints the median,
// minimum and maximum of each and of the two together, in milliseconds.

import Foundation
import NCDCheck
import NCDRender
import NCDSyntax

let arguments = Array(CommandLine.arguments.dropFirst())
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 30
let path = arguments.first { $0.hasSuffix(".ncd") } ?? "examples/transformer.ncd"
guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
    FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
    exit(64)
}
let result = Checker.check(SourceFile(name: path, text: text), options: CheckOptions())
guard !result.hasErrors, let graph = result.diagrams.last?.graph else {
    FileHandle.standardError.write(Data("\(path) has errors or no runnable diagram\n".utf8))
    exit(65)
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

var layout: [Double] = []
var draw: [Double] = []
var total: [Double] = []
var bytes = 0
for _ in 0..<runs {
    var scene: Scene?
    let l = milliseconds { scene = DiagramRenderer.scene(for: graph) }
    let d = try milliseconds { bytes = try CairoBackend.render(scene!, as: .png, scale: 2).count }
    layout.append(l)
    draw.append(d)
    total.append(l + d)
}

func summary(_ name: String, _ xs: [Double]) -> String {
    let s = xs.sorted()
    return String(
        format: "%-8@ median %7.2f ms   min %7.2f   max %7.2f", name as NSString, s[s.count / 2], s[0], s[s.count - 1])
}
print("\(path) → PNG (\(bytes) bytes), \(runs) runs")
print(summary("layout", layout))
print(summary("png", draw))
print(summary("total", total))
