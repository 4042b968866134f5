import Glibc
import SystemPackage
import CNetLoomShims
import Synchronization

/// A plain pthread for work that must not run on Swift's cooperative pool: anything
/// that calls setns changes the namespace of the calling thread only, so it happens on
/// a thread NetLoom owns and never on one the concurrency runtime reuses.
public enum DedicatedThread {
    /// Runs `body` on a new pthread and waits for it. The thread exits afterwards,
    /// so whatever namespace it entered dies with it.
    public static func run<T>(name: String = "netloom", _ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { escapable in
            let box = ResultBox<T>(body: escapable, name: name)
            let handle = try start(box)
            pthread_join(handle, nil)
            return try box.result!.get()
        }
    }

    /// Starts a long-lived pthread running `body`; join it with `join(_:)`.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) throws -> pthread_t {
        let box = ResultBox<Void>(body: body, name: name)
        return try start(box)
    }

    public static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }

    /// Starts computing `body` on a pthread of its own; the caller goes on and collects
    /// the result with `value()`.
    public static func start<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) throws -> Pending<T> {
        let box = ResultBox<T>(body: body, name: name)
        return Pending(box: box, thread: try start(box))
    }

    /// A result being computed on its own thread (see `start(name:_:)`).
    public final class Pending<T: Sendable>: @unchecked Sendable {
        private let box: ResultBox<T>
        private let thread: pthread_t
        private let joined = Mutex(false)

        fileprivate init(box: ResultBox<T>, thread: pthread_t) {
            self.box = box
            self.thread = thread
        }

        /// Waits for the thread and returns what `body` returned, or throws what it threw.
        public func value() throws -> T {
            joined.withLock { joined in
                if !joined { pthread_join(thread, nil) }
                joined = true
            }
            return try box.result!.get()
        }

        deinit {
            // Never asked for: the thread finishes on its own and frees what it holds.
            if !joined.withLock({ $0 }) { pthread_detach(thread) }
        }
    }

    private static func start<T>(_ box: ResultBox<T>) throws -> pthread_t {
        var handle = pthread_t()
        let context = Unmanaged.passRetained(box as AnyObject).toOpaque()
        let status = pthread_create(&handle, nil, { raw in
            let object = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue()
            (object as! any ThreadEntry).enter()
            return nil
        }, context)
        if status != 0 {
            Unmanaged<AnyObject>.fromOpaque(context).release()
            throw KernelError("pthread_create", errno: Errno(rawValue: status))
        }
        return handle
    }
}

private protocol ThreadEntry: AnyObject { func enter() }

/// Carries the closure into the thread and the result back. Accessed by exactly one
/// thread at a time (the creator before pthread_create and after pthread_join).
fileprivate final class ResultBox<T>: ThreadEntry, @unchecked Sendable {
    let body: () throws -> T
    let name: String
    var result: Result<T, any Error>?

    init(body: @escaping () throws -> T, name: String) {
        self.body = body
        self.name = name
    }

    func enter() {
        _ = netloom_set_thread_name(String(name.prefix(15)))
        result = Result { try body() }
    }
}
