import NetLoomKernel

/// One line of `netloom doctor`.
public struct DoctorFinding: Codable, Sendable {
    public var check: String
    public var ok: Bool
    /// Whether NetLoom cannot build labs without it.
    public var required: Bool
    public var advice: String
}

/// Turns probed capabilities into advice.
public enum Doctor {
    public static func findings(_ machine: MachineCapabilities) -> [DoctorFinding] {
        var findings = [
            DoctorFinding(
                check: "CAP_NET_ADMIN", ok: machine.hasNetAdmin, required: true,
                advice: machine.hasNetAdmin ? "can configure interfaces and qdiscs" : "run netloom with sudo"),
            DoctorFinding(
                check: "CAP_SYS_ADMIN", ok: machine.hasSysAdmin, required: true,
                advice: machine.hasSysAdmin ? "can create and mount network namespaces" : "run netloom with sudo"),
            DoctorFinding(
                check: "network namespaces", ok: machine.canCreateNamespaces, required: true,
                advice: machine.canCreateNamespaces ? "created and removed a throwaway namespace"
                    : "could not create one: run as root, outside a restricted container"),
            DoctorFinding(
                check: "AF_PACKET", ok: machine.hasPacketSockets, required: false,
                advice: machine.hasPacketSockets ? "the userspace link engine can run"
                    : "no packet sockets: userspace links (and `backend: auto` without netem) cannot be shaped"),
        ]
        guard machine.canCreateNamespaces else { return findings }
        for kind in MachineCapabilities.probedKinds {
            let present = machine.qdiscKinds[kind] ?? false
            findings.append(DoctorFinding(check: "qdisc \(kind)", ok: present, required: false, advice: advice(kind, present: present)))
        }
        return findings
    }

    static func advice(_ kind: String, present: Bool) -> String {
        switch (kind, present) {
        case ("netem", true): "kernel backend can add delay, jitter, loss, duplication, corruption, reordering"
        case ("netem", false):
            "no sch_netem: `backend: auto` shapes delay and loss in the userspace link engine instead; to get it, "
                + "install linux-modules-extra-$(uname -r) (Ubuntu) or kernel-modules-extra (Fedora/RHEL) and "
                + "modprobe sch_netem; WSL2 and some cloud kernels do not ship it"
        case ("tbf", true): "kernel backend can limit rate (token bucket)"
        case ("tbf", false): "no sch_tbf: rate limits need the userspace backend"
        case ("htb", true): "htb classes available"
        case (_, true): "available"
        default: "not in this kernel (NetLoom does not need it)"
        }
    }
}
