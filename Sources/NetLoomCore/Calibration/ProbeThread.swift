import Foundation

/// A plain thread whose result can be waited for (probes block; they never run on Swift's
/// cooperative pool).
final class ProbeThread<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    func wait() throws -> T {
        done.wait()
        return try result!.get()
    }
}
