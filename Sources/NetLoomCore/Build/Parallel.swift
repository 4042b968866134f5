import Dispatch
import Foundation

/// Runs independent kernel work on a few threads. Each item is handled by exactly one
/// thread; the first error (in item order) is rethrown after all work stops.
enum Parallel {
    static var defaultWorkers: Int { min(4, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    static func map<T, R>(_ items: [T], workers: Int = defaultWorkers, _ body: (T) throws -> R) throws -> [R] {
        guard items.count > 1, workers > 1 else { return try items.map(body) }
        let results = ResultSlots<R>(count: items.count)
        let chunks = min(workers, items.count)
        withoutActuallyEscaping(body) { body in
            let unchecked = UncheckedBody(body: body, items: items)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var index = chunk
                while index < unchecked.items.count {
                    results.set(index, Result { try unchecked.body(unchecked.items[index]) })
                    index += chunks
                }
            }
        }
        return try results.values()
    }

    static func forEach<T>(_ items: [T], workers: Int = defaultWorkers, _ body: (T) throws -> Void) throws {
        _ = try map(items, workers: workers, body)
    }
}

/// Carries a non-Sendable closure into concurrentPerform, which runs it on threads
/// that never touch the same item twice.
private struct UncheckedBody<T, R>: @unchecked Sendable {
    let body: (T) throws -> R
    let items: [T]
}

private final class ResultSlots<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<R, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<R, any Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func values() throws -> [R] {
        try slots.map { try $0!.get() }
    }
}
