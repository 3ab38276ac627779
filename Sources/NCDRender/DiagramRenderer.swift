import NCDCore

/// Turns a checked diagram into a scene: the paper's notation, laid out from the diagram's
/// own structure. The same graph always gives the same scene.
public enum DiagramRenderer {
    /// Margin around the drawing, in points.
    static let margin = 14.0

    /// The scene for `graph`.
    public static func scene(for graph: DiagramGraph, options: RenderOptions = RenderOptions()) -> Scene {
        let result = DiagramLayout(graph: graph, options: options, level: 0, namesAtEdges: true).layout()
        var canvas = result.canvas
        if options.title {
            let args = graph.sizeArguments.map { Notation.size($0.value).plainText }
            let title = RichText(plain: graph.name + (args.isEmpty ? "" : "(" + args.joined(separator: ", ") + ")"))
            let top = (canvas.bounds?.y ?? 0) - 10
            let x = result.bounds.x + (result.bounds.width - title.width(in: Metrics.titleFont)) / 2
            canvas.add(TextShape(title, at: Point(x, top), font: Metrics.titleFont, color: options.theme.ink))
        }
        let bounds = canvas.bounds ?? Rect(x: 0, y: 0, width: 1, height: 1)
        return canvas.scene(bounds: bounds, margin: margin, background: options.theme.background)
    }
}
