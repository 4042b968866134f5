import Glibc
import Testing
@testable import NetLoomKernel

/// `NetworkNamespace.create` enters the new namespace on the calling thread and must
/// always bring the thread back.
@Suite("Namespace creation", .enabled(if: Root.available))
struct NamespaceRootTests {
    struct PrepareFailed: Error {}

    @Test func theCallingThreadReturnsToItsNamespace() throws {
        let before = try NetworkNamespace.current().inode
        let name = Root.unique("home")
        defer { try? NetworkNamespace.delete(named: name) }
        var inside: UInt64 = 0
        let created = try NetworkNamespace.create(named: name) { _ in inside = try NetworkNamespace.current().inode }
        #expect(inside == created.inode && inside != before)
        #expect(try NetworkNamespace.current().inode == before)
    }

    @Test func aFailedPrepareLeavesNothingAndTheThreadAtHome() throws {
        let before = try NetworkNamespace.current().inode
        let name = Root.unique("fails")
        defer { try? NetworkNamespace.delete(named: name) }
        #expect(throws: PrepareFailed.self) { _ = try NetworkNamespace.create(named: name) { _ in throw PrepareFailed() } }
        #expect(!NetworkNamespace.exists(named: name))
        #expect(try NetworkNamespace.current().inode == before)
    }
}
