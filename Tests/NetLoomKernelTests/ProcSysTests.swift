import Testing
@testable import NetLoomKernel

@Suite("Sysctl keys")
struct ProcSysTests {
    @Test func dottedKeysBecomePathsUnderProcSys() {
        #expect(ProcSys.path("net.ipv4.tcp_rmem") == "net/ipv4/tcp_rmem")
        // Interface names may hold dots: a key with a slash is a path already.
        #expect(ProcSys.path("net/ipv4/conf/eth0.1/forwarding") == "net/ipv4/conf/eth0.1/forwarding")
    }
}
