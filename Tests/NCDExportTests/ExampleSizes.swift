import Foundation

/// The examples at reduced sizes (`Tests/example-sizes.json`), shared by the tests that run
/// every example.
struct ExampleSizes: Decodable {
    var file: String
    var diagram: String
    var sizes: [String: Int]

    static func load() throws -> [ExampleSizes] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("example-sizes.json")
        return try JSONDecoder().decode([ExampleSizes].self, from: Data(contentsOf: url))
    }
}
