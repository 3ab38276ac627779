import NCDCore
import NCDSyntax

/// State shared by every instantiation in one check: diagnostics, the diagrams being
/// instantiated (to catch recursion) and a budget against runaway unrolling.
final class Session {
    var diagnostics = DiagnosticBag()
    var callStack: [String] = []
    /// Shared by every session of one check, so a file cannot multiply it by its diagrams.
    let budget: OperationBudget
    var budgetExceeded: Bool { budget.exceeded }
    /// Diagrams instantiated by a call, so templates that are never called can be flagged.
    var called: Set<String> = []
    let globals: GlobalScope

    init(globals: GlobalScope, budget: OperationBudget) {
        self.globals = globals
        self.budget = budget
    }

    /// Instantiation depth beyond which nesting is reported rather than followed.
    static let maximumCallDepth = 64
}

/// Operations left before the checker gives up on a file (loops unrolled, calls inlined),
/// so that an exponential call tree costs seconds, not hours.
final class OperationBudget {
    let limit: Int
    var remaining: Int
    var exceeded = false

    init(limit: Int) {
        self.limit = limit
        remaining = limit
    }
}
