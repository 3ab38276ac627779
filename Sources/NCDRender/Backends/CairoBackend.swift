import CCairo

/// The file formats Cairo writes.
public enum ImageFormat: String, CaseIterable, Sendable {
    case svg, png, pdf

    /// The format a file name's extension names, if any.
    public init?(pathExtension: String) {
        self.init(rawValue: pathExtension.lowercased())
    }
}

/// Why a scene could not be drawn.
public enum RenderError: Error, Equatable, CustomStringConvertible {
    case tooLarge(width: Int, height: Int)
    case cairo(String)

    public var description: String {
        switch self {
        case .tooLarge(let w, let h):
            return
                "the picture would be \(w)×\(h) pixels; PNG output is limited to \(CairoBackend.maxPixelSide) on a side (lower --scale, or render SVG or PDF)"
        case .cairo(let message): return "Cairo failed: \(message)"
        }
    }
}

/// Draws a scene through Cairo: an image surface for PNG, the PDF and SVG surfaces for
/// those. Every format comes from the same shapes; output is deterministic (the PDF's
/// creation date is fixed, and Cairo's SVG ids are sequential).
public enum CairoBackend {
    /// Cairo's limit on an image surface's side.
    public static let maxPixelSide = 32_767

    /// The encoded file.
    public static func render(_ scene: Scene, as format: ImageFormat, scale: Double = 2) throws -> [UInt8] {
        let sink = ByteSink()
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        let surface: OpaquePointer?
        switch format {
        case .png:
            let w = Int((scene.width * scale).rounded(.up))
            let h = Int((scene.height * scale).rounded(.up))
            guard w <= maxPixelSide, h <= maxPixelSide, w > 0, h > 0 else {
                throw RenderError.tooLarge(width: w, height: h)
            }
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w), Int32(h))
        case .pdf:
            surface = cairo_pdf_surface_create_for_stream(writeBytes, closure, scene.width, scene.height)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2024-01-01T00:00:00Z")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "ncd render")
        case .svg:
            surface = cairo_svg_surface_create_for_stream(writeBytes, closure, scene.width, scene.height)
        }
        defer { cairo_surface_destroy(surface) }
        try check(cairo_surface_status(surface))
        let cr = cairo_create(surface)
        defer { cairo_destroy(cr) }
        if format == .png { cairo_scale(cr, scale, scale) }
        draw(scene, on: cr)
        try check(cairo_status(cr))
        cairo_surface_flush(surface)
        if format == .png {
            try check(cairo_surface_write_to_png_stream(surface, writeBytes, closure))
        } else {
            cairo_surface_finish(surface)
        }
        try check(cairo_surface_status(surface))
        return format == .svg ? numberedFromOne(sink.bytes) : sink.bytes
    }

    /// Cairo numbers SVG surfaces with a counter global to the process (`surface7` for the
    /// seventh drawing); the document has one, so it is renamed `surface1` to keep output
    /// identical whatever was drawn before.
    static func numberedFromOne(_ svg: [UInt8]) -> [UInt8] {
        let marker = Array("id=\"surface".utf8)
        guard svg.count > marker.count,
            let start = (0...(svg.count - marker.count)).first(where: {
                svg[$0..<($0 + marker.count)].elementsEqual(marker)
            })
        else { return svg }
        let digits = start + marker.count
        var end = digits
        while end < svg.count, (48...57).contains(svg[end]) { end += 1 }
        return Array(svg[..<digits]) + Array("1".utf8) + Array(svg[end...])
    }

    private static func draw(_ scene: Scene, on cr: OpaquePointer?) {
        set(cr, scene.background)
        cairo_paint(cr)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        for shape in scene.shapes {
            switch shape {
            case .path(let p): draw(p, on: cr)
            case .text(let t): draw(t, on: cr)
            }
        }
    }

    private static func draw(_ p: PathShape, on cr: OpaquePointer?) {
        cairo_new_path(cr)
        for e in p.elements {
            switch e {
            case .move(let a): cairo_move_to(cr, a.x, a.y)
            case .line(let a): cairo_line_to(cr, a.x, a.y)
            case .curve(let a, let b, let c): cairo_curve_to(cr, a.x, a.y, b.x, b.y, c.x, c.y)
            case .close: cairo_close_path(cr)
            }
        }
        if let fill = p.fill {
            set(cr, fill)
            if p.stroke != nil { cairo_fill_preserve(cr) } else { cairo_fill(cr) }
        }
        if let s = p.stroke {
            set(cr, s.color)
            cairo_set_line_width(cr, s.width)
            s.dash.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
            cairo_stroke(cr)
        }
    }

    private static func draw(_ t: TextShape, on cr: OpaquePointer?) {
        set(cr, t.color)
        for placed in t.text.placed(in: t.font) {
            let f = placed.font
            cairo_select_font_face(
                cr, f.family.rawValue, f.italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                f.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
            cairo_set_font_size(cr, f.size)
            let x = t.origin.x + placed.x
            let y = t.origin.y + placed.baselineShift
            // Combining marks are drawn as the overbar they stand for, not as glyphs.
            let visible = String(
                String.UnicodeScalarView(placed.run.text.unicodeScalars.filter { !(0x300...0x36F).contains($0.value) }))
            cairo_move_to(cr, x, y)
            cairo_show_text(cr, visible)
            if placed.run.overbar {
                let width = TextMetrics.width(placed.run.text, font: f)
                cairo_new_path(cr)
                cairo_set_line_width(cr, max(0.6, f.size * 0.06))
                cairo_set_dash(cr, nil, 0, 0)
                cairo_move_to(cr, x + 0.1 * width, y - 0.78 * f.size)
                cairo_line_to(cr, x + 0.95 * width, y - 0.78 * f.size)
                cairo_stroke(cr)
            }
        }
    }

    private static func set(_ cr: OpaquePointer?, _ c: Color) {
        cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
    }

    private static func check(_ status: cairo_status_t) throws {
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError.cairo(String(cString: cairo_status_to_string(status)))
        }
    }
}

/// Collects what a Cairo stream surface writes.
private final class ByteSink {
    var bytes: [UInt8] = []
}

private let writeBytes: cairo_write_func_t = { closure, data, length in
    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
    let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
    sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
    return CAIRO_STATUS_SUCCESS
}
