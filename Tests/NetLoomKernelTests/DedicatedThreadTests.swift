import Glibc
import Testing
@testable import NetLoomKernel

/// Work on threads NetLoom owns: no root, no namespaces.
struct DedicatedThreadTests {
    struct Failed: Error, Equatable {}

    @Test func aStartedComputationRunsOnItsOwnThreadAndHandsBackItsValue() throws {
        let caller = UInt(pthread_self())
        let pending = try DedicatedThread.start(name: "test-pending") { () -> UInt in UInt(pthread_self()) }
        let other = try pending.value()
        #expect(other != caller)
        #expect(try pending.value() == other, "asking again returns the same value")
    }

    @Test func aThrownErrorReachesTheCaller() throws {
        let pending = try DedicatedThread.start(name: "test-fails") { () throws -> Int in throw Failed() }
        #expect(throws: Failed.self) { try pending.value() }
    }
}
