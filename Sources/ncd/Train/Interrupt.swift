import Foundation

/// Ctrl-C during training: the first SIGINT asks the run to stop after the current step
/// (and write a checkpoint); a second one ends the process at once, as usual.
enum Interrupt {
    /// Set by the handler; read between steps.
    nonisolated(unsafe) static var requested: sig_atomic_t = 0

    static func install() {
        signal(SIGINT) { _ in
            Interrupt.requested = 1
            signal(SIGINT, SIG_DFL)
        }
    }

    static var isRequested: Bool { requested != 0 }
}
