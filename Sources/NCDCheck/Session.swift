import NCDCore
import NCDSyntax

/// State shared by every instantiation in one check: diagnostics, the diagrams being
/// instantiated (to catch recursion) and a budget against runaway unrolling.
final class Session {
    var diagnostics = DiagnosticBag()
    var callStack: [String] = []
    /// Operations left before the checker gives up on a file (loops unrolled, calls inlined).
    var operationBudget = 2_000_000
    var budgetExceeded = false
    /// Diagrams instantiated by a call, so templates that are never called can be flagged.
    var called: Set<String> = []
    let globals: GlobalScope

    init(globals: GlobalScope) {
        self.globals = globals
    }

    /// Instantiation depth beyond which nesting is reported rather than followed.
    static let maximumCallDepth = 64
}
