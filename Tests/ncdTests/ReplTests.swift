import Foundation
import XCTest

/// Scripted sessions piped through `ncd repl`: with standard input not a terminal it reads
/// line by line without prompts, so the transcript is exactly what is asserted.
final class ReplTests: XCTestCase, RunsNCD {
    func repl(_ script: String, files: [String] = []) throws -> String {
        let run = try ncd(["repl"] + files, stdin: script, merged: true)
        XCTAssertEqual(run.status, 0, run.stdout)
        return run.stdout
    }

    func testExpressionsPrintTypesWithElementsAndBytes() throws {
        let out = try repl(
            """
            axis y = 20, x = 22, k = 16
            q: [y, k]
            keys: [x, k]
            einsum[y k, x k -> y x](q, keys) * k^-0.5
            :type sum[k](q)
            """)
        XCTAssertEqual(
            out,
            """
            axis y = 20
            axis x = 22
            axis k = 16
            q : [y:20, k:16]  (320 elements, 1.2 KiB)
            keys : [x:22, k:16]  (352 elements, 1.4 KiB)
            [y:20, x:22]  (440 elements, 1.7 KiB)
            [y:20]  (20 elements, 80 B)

            """)
    }

    func testErrorsShowCaretAndLeaveStateUnchanged() throws {
        let out = try repl(
            """
            axis b = 4, d_model = 8
            x: [b, d_model]
            y = linear[dmodel -> d_model](x)
            y
            y = relu(x)
            y
            """)
        XCTAssertTrue(
            out.contains(
                """
                <input>:1:12: error[E034]: `linear` acts on axis `dmodel`, but its argument has axes [b:4, d_model:8]
                   1 | y = linear[dmodel -> d_model](x)
                     |            ^~~~~~
                      = help: did you mean `d_model`?
                """), out)
        // The failed assignment bound nothing: `y` is unknown until the second one.
        XCTAssertTrue(out.contains("<input>:1:1: error[E011]: unknown name `y`\n   1 | y\n     | ^"), out)
        XCTAssertTrue(
            out.hasSuffix("y : [b:4, d_model:8]  (32 elements, 128 B)\n[b:4, d_model:8]  (32 elements, 128 B)\n"), out)
    }

    func testBodyStatementsAtThePromptSayWhereTheyBelong() throws {
        let out = try repl(
            """
            axis n = 3
            x: [n]
            region "Linear" {
              y = relu(x)
            }
            for l in 1..2 {
              x = relu(x)
            }
            region = relu(x)
            """)
        XCTAssertTrue(
            out.contains(
                "<input>:1:1: error[E004]: `region` belongs in a diagram's body, where it groups statements for the "
                    + "picture; at the prompt, bind values one at a time with `name = …`, or `:load` a file that "
                    + "declares the diagram\n   1 | region \"Linear\" {\n     | ^~~~~~"),
            out)
        XCTAssertTrue(out.contains("error[E004]: `for` belongs in a diagram's body; at the prompt"), out)
        // Where no string follows, `region` is a name like any other.
        XCTAssertTrue(out.hasSuffix("region : [n:3]  (3 elements, 12 B)\n"), out)
    }

    func testSetRechecksWhatDependsOnTheSize() throws {
        let out = try repl(
            """
            axis seq, d = 64
            t: [seq, d]
            s = einsum[seq d, seq2 d -> seq seq2](t, rearrange[seq -> seq2](t))
            axis seq2 = seq
            s = einsum[seq d, seq2 d -> seq seq2](t, rearrange[seq -> seq2](t))
            :set seq = 4096
            :set seq = 0
            :set sq = 3
            """)
        XCTAssertTrue(out.contains("s : [seq, seq2:seq]\n"), out)
        XCTAssertTrue(
            out.contains("seq = 4096; re-checked 0 diagrams\n  t : [seq:4096, d:64]  (262144 elements, 1.0 MiB)\n"), out
        )
        // 4096² scores of float32: the memory attention's score array takes at this length.
        XCTAssertTrue(out.contains("  s : [seq:4096, seq2:4096]  (16777216 elements, 64.0 MiB)"), out)
        XCTAssertTrue(out.contains("error: sizes must be positive; got 0"), out)
        XCTAssertTrue(out.contains("error: unknown axis `sq`; did you mean `seq`?"), out)
    }

    func testSetThatBreaksACheckIsRejected() throws {
        let out = try repl(
            """
            axis n = 8, half = n / 2
            :set n = 7
            :axes
            """)
        XCTAssertTrue(out.contains("error[E022]: 7 is not divisible by 2"), out)
        XCTAssertTrue(out.contains("`n = 7` rejected; sizes are unchanged"), out)
        XCTAssertTrue(out.contains("n = 8  (<input>:1)\nhalf = 4  (<input>:1)"), out)
    }

    func testMultiLineDefinitionsAndCalls() throws {
        let out = try repl(
            """
            axis n = 4, m = 3
            diagram F(x: [n]) -> [m] {
              h = relu(
                linear[n -> m](x))
              return h
            }
            v: [n]
            F(v)
            :diagrams
            """)
        XCTAssertTrue(out.contains("diagram F\n"), out)
        XCTAssertTrue(out.contains("[m:3]  (3 elements, 12 B)\n"), out)
        XCTAssertTrue(out.contains("diagram F(x: [n]) -> [m]\n"), out)
    }

    func testRedefinitionReplacesTheTypedOne() throws {
        let out = try repl(
            """
            axis n = 4
            axis n = 5
            v: [n]
            """)
        XCTAssertTrue(out.contains("v : [n:5]"), out)
    }

    func testLoadReloadCostAndAxes() throws {
        let path = try temporaryFile("axis n = 4, m = 3\ndiagram F(x: [n]) -> [m] {\n  return linear[n -> m](x)\n}\n")
        let out = try repl(
            """
            :load \(path)
            :cost F
            :axes
            :reload
            :load /no/such/file.ncd
            :cost G
            """)
        XCTAssertTrue(out.contains("loaded \(path): 2 axes and constants, 1 diagram"), out)
        XCTAssertTrue(out.contains("\(path):3  linear"), out)
        XCTAssertTrue(out.contains("total"), out)
        XCTAssertTrue(out.contains("n = 4  (\(path):1)"), out)
        XCTAssertTrue(out.contains("error: cannot read /no/such/file.ncd"), out)
        XCTAssertTrue(out.contains("error: no diagram `G`"), out)
    }

    func testReloadSeesTheFileAsEditedDuringTheSession() throws {
        let path = try temporaryFile("axis n = 4\n")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["repl"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        func send(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }
        func read(until marker: String) -> String {
            var seen = ""
            while !seen.contains(marker) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            return seen
        }
        send(":load \(path)\nv: [n]\n")
        XCTAssertTrue(read(until: "v : [n:4]").contains("v : [n:4]"))
        try "axis n = 6\n".write(toFile: path, atomically: true, encoding: .utf8)
        send(":reload\nv\n")
        XCTAssertTrue(read(until: "[n:6]").contains("[n:6]  (6 elements, 24 B)"))
        // A broken edit is rejected and the workspace keeps the last good version.
        try "axis n = 0\n".write(toFile: path, atomically: true, encoding: .utf8)
        send(":reload\nv\n")
        let last = read(until: "[n:6]")
        XCTAssertTrue(last.contains("reload abandoned; the workspace is unchanged"), last)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    func testLoadRejectsAFileWithErrorsShowingItsOwnLines() throws {
        let path = try temporaryFile("axis n = 4\n\ndiagram F(x: [n]) -> [n] {\n  return relu(y)\n}\n")
        let out = try repl(":load \(path)\n:diagrams\n")
        XCTAssertTrue(out.contains("\(path):4:15: error[E011]: unknown name `y`"), out)
        XCTAssertTrue(out.contains("\(path) not loaded"), out)
        XCTAssertTrue(out.contains("no diagrams yet"), out)
    }

    func testFilesOnTheCommandLineAreLoaded() throws {
        let out = try repl(
            "MultiHead(y, x)\ny: [ȳ, m]\nx: [x̄, m]\nMultiHead(y, x)\n", files: ["examples/multihead.ncd"])
        XCTAssertTrue(out.contains("loaded examples/multihead.ncd"), out)
        XCTAssertTrue(out.contains("error[E011]: unknown name `y`"), out)
        XCTAssertTrue(out.hasSuffix("[ȳ:20, m:128]  (2560 elements, 10.0 KiB)\n"), out)
    }

    func testRunUsesTheWorkspaceSizes() throws {
        let out = try repl(
            """
            :load examples/mlp.ncd
            :run ImageRecogniser
            :set b = 3
            :run ImageRecogniser
            :run Nope
            :set b = 10000000
            :run ImageRecogniser
            """)
        // The same line `ncd run` ends with for the same error: one place renders errors.
        let cli = try ncd(["run", "examples/mlp.ncd"])
        XCTAssertEqual(cli.status, 64)
        let line = cli.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(line, "ncd: error: free size `b` must be bound: use --size b=N")
        XCTAssertTrue(out.contains(line + "\n"), out)
        XCTAssertTrue(out.contains("output 1 : [b:3, classes:10]  shape 3×10  mean 0.1"), out)
        XCTAssertTrue(out.contains("error: no diagram `Nope`"), out)
        XCTAssertTrue(out.contains("would need about"), out)
    }

    func testCommandsHelpUnknownAndQuit() throws {
        let out = try repl(":help\n:frob\n:render F\n:quit\naxis never = 1\n")
        XCTAssertTrue(out.contains(":set AXIS = N"), out)
        XCTAssertTrue(out.contains("error: unknown command `:frob`"), out)
        XCTAssertTrue(out.contains("error: no diagram `F`"), out)
        XCTAssertFalse(out.contains("axis never"), "input after :quit must not run")
    }

    func testRenderDrawsAWorkspaceDiagram() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ncd-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let out = try repl(
            """
            axis m = 8, f = 32
            diagram Block(x: [m]) -> [m] { return x + linear[f -> m](relu(linear[m -> f](x))) }
            :render Block \(dir.path)/block.png
            :render Block \(dir.path)/block.gif
            :render Blok
            """)
        XCTAssertTrue(out.contains("wrote \(dir.path)/block.png ("), out)
        XCTAssertTrue(out.contains("cannot tell the format of"), out)
        XCTAssertTrue(out.contains("did you mean `Block`?"), out)
        let png = try Data(contentsOf: dir.appendingPathComponent("block.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["block.png"])
    }
}
