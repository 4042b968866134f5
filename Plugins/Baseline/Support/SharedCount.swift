import Synchronization

/// A total that many threads add to.
final class SharedCount: Sendable {
    private let total = Mutex(0)

    func add(_ amount: Int) { total.withLock { $0 += amount } }

    var value: Int { total.withLock { $0 } }
}
