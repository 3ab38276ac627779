import CEditLine
import Foundation

/// Where the REPL's lines come from.
protocol LineReader {
    /// The next line, without its newline; nil at end of input. `.cancelled` when the user
    /// pressed Ctrl-C.
    mutating func readLine(prompt: String) -> LineRead
    /// Remembers a complete input for history.
    mutating func remember(_ input: String)
}

enum LineRead: Equatable {
    case line(String)
    case cancelled
    case end
}

/// Lines from standard input with no prompt, for scripts and tests.
struct PlainLineReader: LineReader {
    mutating func readLine(prompt: String) -> LineRead {
        Swift.readLine(strippingNewline: true).map(LineRead.line) ?? .end
    }

    mutating func remember(_ input: String) {}
}

/// Set by the SIGINT handler; read and cleared by the line reader.
private var interrupted: sig_atomic_t = 0

/// Candidates offered by Tab, refreshed before each line.
nonisolated(unsafe) var completionCandidates: [String] = []

/// Line editing, history (`~/.ncd_history`) and completion through libedit.
struct EditLineReader: LineReader {
    let historyPath: String?

    init() {
        // libedit reads multibyte characters (x̄, ȳ) only under a UTF-8 locale: take the
        // environment's, or C.UTF-8 when that is plain C.
        if let current = setlocale(LC_CTYPE, ""), !String(cString: current).uppercased().contains("UTF-8") {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        historyPath = ProcessInfo.processInfo.environment["HOME"].map { $0 + "/.ncd_history" }
        // Ctrl-C must cancel the line, not end the process: catch SIGINT ourselves, without
        // SA_RESTART, so the blocked read returns and the getc hook below notices.
        rl_catch_signals = 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in interrupted = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // libedit takes what this returns as one character, so decode UTF-8 here.
        rl_getc_function = { stream in
            func byte() -> Int32? {
                var b: UInt8 = 0
                while true {
                    let n = read(fileno(stream), &b, 1)
                    // Ctrl-C comes as byte 3 in libedit's raw mode, or as SIGINT otherwise:
                    // either way end the line now; readLine sees the flag and cancels it.
                    if n == 1, b == 3 { interrupted = 1 }
                    if interrupted != 0 { return 10 }
                    if n == 1 { return Int32(b) }
                    if n < 0, errno == EINTR { continue }
                    return nil
                }
            }
            guard let lead = byte() else { return EOF }
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            var scalar = length == 1 ? lead : lead & (0x7F >> Int32(length))
            for _ in 1..<max(length, 1) {
                guard let next = byte(), next & 0xC0 == 0x80 else { return 0xFFFD }
                scalar = scalar << 6 | (next & 0x3F)
            }
            return scalar
        }
        // Words end at brackets and operators too, so `linear[m` completes the axis `m`.
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n()[]{}<>,=+-*/^"))
        rl_attempted_completion_function = { text, _, _ in
            rl_attempted_completion_over = 1
            // A command takes an argument after a space; a name is followed by `(` or `[`.
            rl_completion_append_character = text?.pointee == CChar(UInt8(ascii: ":")) ? 32 : 0
            return rl_completion_matches(text) { text, state in
                struct Cursor {
                    nonisolated(unsafe) static var matches: [String] = []
                    nonisolated(unsafe) static var index = 0
                }
                if state == 0 {
                    let prefix = text.map { String(cString: $0) } ?? ""
                    Cursor.matches = completionCandidates.filter { $0.utf8.starts(with: prefix.utf8) }.sorted()
                    Cursor.index = 0
                }
                guard Cursor.index < Cursor.matches.count else { return nil }
                defer { Cursor.index += 1 }
                return strdup(Cursor.matches[Cursor.index])
            }
        }
        stifle_history(1000)
        if let historyPath { _ = read_history(historyPath) }
    }

    mutating func readLine(prompt: String) -> LineRead {
        interrupted = 0
        guard let raw = readline(prompt) else { return .end }
        defer { free(raw) }
        let line = String(cString: raw)
        if interrupted != 0 {
            interrupted = 0
            print("^C")
            return .cancelled
        }
        return .line(line)
    }

    mutating func remember(_ input: String) {
        add_history(input)
        if let historyPath { _ = write_history(historyPath) }
    }
}

/// Whether typed text is a complete input or needs more lines: open brackets, or a line
/// that ends with an operator, a comma or an arrow, continue.
enum InputCompleteness {
    static func isComplete(_ text: String) -> Bool {
        if text.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return true }
        var depth = 0
        var last: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var inString = false
            for c in line {
                if c == "#", !inString { break }
                if c == "\"" { inString.toggle() }
                switch c {
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth -= 1
                default: break
                }
            }
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = code.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { last = trimmed }
        }
        if depth > 0 { return false }
        guard let last else { return true }
        return !["+", "-", "*", "/", "^", "=", ",", "->", ":", ".."].contains {
            last.hasSuffix($0) && !last.hasSuffix("]")
        }
    }
}
