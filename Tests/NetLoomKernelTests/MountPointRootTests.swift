import Foundation
import Glibc
import Testing
@testable import NetLoomKernel

/// The files namespaces are mounted on: hard links to one unnamed file.
@Suite("Namespace mount points", .enabled(if: Root.available))
struct MountPointRootTests {
    func status(_ path: String) throws -> stat {
        var info = stat()
        #expect(stat(path, &info) == 0, "\(path): \(String(cString: strerror(errno)))")
        return info
    }

    @Test func namesShareOneFileUntilTheLastOneIsGone() throws {
        // An instance of its own: the process-wide one is shared with concurrent tests.
        let files = MountPointFiles(directory: NetworkNamespace.directory)
        let paths = (1...4).map { NetworkNamespace.path(of: Root.unique("mount\($0)")) }
        defer { for path in paths { unlink(path) } }
        try files.create(paths[0], operation: "test")
        try files.create(paths[1], operation: "test")
        let first = try status(paths[0]), second = try status(paths[1])
        #expect(first.st_ino == second.st_ino && second.st_nlink == 2 && second.st_size == 0)
        #expect(first.st_mode & S_IFMT == S_IFREG)
        #expect(throws: KernelError.self) { try files.create(paths[1], operation: "test") }  // EEXIST

        // Once the kernel has dropped the file (no name left), the next name starts a new one.
        unlink(paths[0])
        unlink(paths[1])
        try files.create(paths[2], operation: "test")
        try files.create(paths[3], operation: "test")
        let third = try status(paths[2]), fourth = try status(paths[3])
        #expect(third.st_ino == fourth.st_ino && fourth.st_nlink == 2)
    }

    @Test func aNamespaceIsMountedOnALinkedName() throws {
        try Root.withNamespaces(2) { ns in
            #expect(NetworkNamespace.isMounted(named: ns[0].name!) && NetworkNamespace.isMounted(named: ns[1].name!))
            #expect(ns[0].inode != ns[1].inode)
        }
    }
}
