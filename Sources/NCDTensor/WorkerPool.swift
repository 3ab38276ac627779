import Dispatch
import Foundation
import Synchronization

/// The runtime's worker threads. They stay alive between parallel loops and spin for a
/// moment after each before sleeping, so the next loop, usually microseconds away, starts
/// without waking a thread. (A queue that puts its threads to sleep after every loop costs
/// more than the small loops of an attention step.)
///
/// The calling thread and the workers claim chunks from a shared counter until none is
/// left, rather than each taking a fixed share: on a shared machine one core is at times
/// markedly slower than the other (its neighbour busy, or the hypervisor elsewhere), and a
/// fixed split then waits for the slow core's share while the fast one idles.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How many times a waiting thread checks before it starts yielding its core at each
    /// check (a few µs): when the two threads share one core, a spinning waiter would
    /// otherwise hold up the thread it waits for.
    private static let spinsBeforeYielding = 1_000
    /// How many more checks, each after a yield, an idle worker makes before it sleeps
    /// (around a hundred µs).
    private static let yieldingSpins = 200

    /// Bumped to start each parallel loop; workers wait on it.
    private let generation = Atomic<Int>(0)
    /// The loop being run: its generation (high 32 bits), its number of chunks (next 16)
    /// and the next chunk to claim (low 16). Claims carry the generation, so a worker that
    /// saw an earlier loop can never claim a chunk of a later one.
    private let ticket = Atomic<UInt64>(0)
    private let unfinished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let busy = NSLock()
    // Written by the calling thread before the ticket is published (release), read by
    // workers only after a claim on that ticket succeeds (acquire).
    private var job: ((Int) -> Void)?
    private var started = 0

    /// Runs `body(0)` … `body(count − 1)` across the calling thread and the workers, and
    /// returns when all are done. A second thread that calls while the pool is busy runs
    /// its chunks itself, in order.
    func run(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, count <= 0xFFFF, busy.try() else { return (0..<count).forEach(body) }
        defer { busy.unlock() }
        startWorkers(Swift.min(count, Parallel.threads) - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            unfinished.store(count, ordering: .sequentiallyConsistent)
            let loop = UInt64(truncatingIfNeeded: generation.load(ordering: .relaxed) &+ 1) & 0xFFFF_FFFF
            ticket.store(loop << 32 | UInt64(count) << 16, ordering: .releasing)
            generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
            for _ in 0..<sleepers.load(ordering: .sequentiallyConsistent) { wake.signal() }
            claimChunks(of: loop)
            // Wait for chunks that workers claimed, soon yielding at every check: if a
            // worker shares this core, spinning here would only keep it off the core.
            var waited = 0
            while unfinished.load(ordering: .acquiring) > 0 {
                waited += 1
                if waited > Self.spinsBeforeYielding { sched_yield() }
            }
            job = nil
        }
    }

    /// Claims and runs chunks of loop `loop` until none is left (or a later loop began).
    private func claimChunks(of loop: UInt64) {
        var current = ticket.load(ordering: .acquiring)
        while current >> 32 == loop, current & 0xFFFF < (current >> 16) & 0xFFFF {
            let (claimed, seen) = ticket.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            guard claimed else {
                current = seen
                continue
            }
            runJob(Int(current & 0xFFFF))
            unfinished.wrappingSubtract(1, ordering: .releasing)
            current = ticket.load(ordering: .acquiring)
        }
    }

    private func startWorkers(_ count: Int) {
        lock.lock()
        defer { lock.unlock() }
        while started < count {
            started += 1
            // The generation it was started in: the next bump is its first loop, even if
            // the thread only gets going after that bump.
            let current = generation.load(ordering: .acquiring)
            let index = started
            let thread = Thread { [unowned self] in self.work(index, seen: current) }
            thread.name = "ncd-worker-\(started)"
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
            // Workers beyond the thread count set now (it was larger once) stay out.
            if index < Parallel.threads { claimChunks(of: UInt64(truncatingIfNeeded: now) & 0xFFFF_FFFF) }
        }
    }

    /// Calls the job. A function of its own so that the worker's reference to the closure
    /// is gone before it reports the chunk done: `run` lends a non-escaping closure.
    @inline(never)
    private func runJob(_ index: Int) {
        job?(index)
    }
}
