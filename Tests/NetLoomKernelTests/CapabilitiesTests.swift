import Testing
@testable import NetLoomKernel

@Suite("Machine capabilities")
struct CapabilitiesTests {
    @Test func probeReportsTheKernelAndLibraries() {
        let machine = MachineCapabilities.probe()
        #expect(!machine.kernelRelease.isEmpty)
        #expect(machine.libnlVersion.hasPrefix("3."))
        #expect(machine.libmnlLibrary.contains("libmnl"))
    }

    @Test(.enabled(if: Root.available)) func probeFindsTheQdiscsEveryKernelHas() {
        let machine = MachineCapabilities.probe()
        #expect(machine.canCreateNamespaces && machine.hasNetAdmin)
        #expect(machine.qdiscKinds["tbf"] == true && machine.qdiscKinds["htb"] == true)
        #expect(machine.qdiscKinds["pfifo"] == true)
        #expect(machine.qdiscKinds.count == MachineCapabilities.probedKinds.count)
    }
}
