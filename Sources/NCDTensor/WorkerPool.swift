import Dispatch
import Foundation
import Synchronization

/// The runtime's worker threads. They stay alive between parallel loops and spin for a
/// moment after each before sleeping, so the next loop, usually microseconds away, starts
/// without waking a thread; the calling thread runs chunk 0 itself. (A queue that puts its
/// threads to sleep after every loop costs more than the small loops of an attention step.)
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How many times a waiting thread checks before it starts yielding its core at each
    /// check (a few µs): when the two threads share one core, a spinning waiter would
    /// otherwise hold up the thread it waits for.
    private static let spinsBeforeYielding = 1_000
    /// How many more checks, each after a yield, an idle worker makes before it sleeps
    /// (around a hundred µs).
    private static let yieldingSpins = 200

    private let generation = Atomic<Int>(0)
    private let unfinished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let busy = NSLock()
    // Written by the calling thread before `generation` is bumped (release), read by workers
    // after they see the bump (acquire).
    private var job: ((Int) -> Void)?
    private var chunks = 0
    private var started = 0

    /// Runs `body(0)` … `body(count − 1)` at once, one per thread, and returns when all are
    /// done. A second thread that calls while the pool is busy runs its chunks itself, in order.
    func run(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, busy.try() else { return (0..<count).forEach(body) }
        defer { busy.unlock() }
        startWorkers(count - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            chunks = count
            unfinished.store(count - 1, ordering: .sequentiallyConsistent)
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            for _ in 0..<sleepers.load(ordering: .sequentiallyConsistent) { wake.signal() }
            body(0)
            // Spin for the other chunks, soon yielding at every check: if a worker shares
            // this core, spinning here would only keep it off the core it needs.
            var waited = 0
            while unfinished.load(ordering: .acquiring) > 0 {
                waited += 1
                if waited > Self.spinsBeforeYielding { sched_yield() }
            }
            job = nil
        }
    }

    private func startWorkers(_ count: Int) {
        lock.lock()
        defer { lock.unlock() }
        while started < count {
            started += 1
            // The generation it was started in: the next bump is its first job, even if the
            // thread only gets going after that bump.
            let index = started, current = generation.load(ordering: .acquiring)
            let thread = Thread { [unowned self] in self.work(index, seen: current) }
            thread.name = "ncd-worker-\(index)"
            thread.start()
        }
    }

    private func work(_ index: Int, seen start: Int) {
        var seen = start
        while true {
            var idle = 0
            var now = generation.load(ordering: .acquiring)
            while now == seen {
                idle += 1
                if idle > Self.spinsBeforeYielding { sched_yield() }
                if idle > Self.spinsBeforeYielding + Self.yieldingSpins {
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    if generation.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                    idle = 0
                }
                now = generation.load(ordering: .acquiring)
            }
            seen = now
            if index < chunks {
                runJob(index)
                unfinished.wrappingSubtract(1, ordering: .releasing)
            }
        }
    }

    /// Calls the job. A function of its own so that the worker's reference to the closure
    /// is gone before it reports the chunk done: `run` lends a non-escaping closure.
    @inline(never)
    private func runJob(_ index: Int) {
        job?(index)
    }
}
