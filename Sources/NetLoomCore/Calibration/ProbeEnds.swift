import Foundation
import NetLoomKernel
import NetLoomModel

/// The address each end of a link is probed at: a host's or router's own address on the link,
/// or an address added to a switch's bridge (one per switch, the highest free one in its subnet).
struct ProbeEnds {
    struct End {
        var node: String
        var namespace: NetworkNamespace
        var address: String
        /// Added for the calibration (a switch's bridge).
        var temporary: Bool
    }

    let lab: ResolvedLab
    private var bridgeAddresses: [String: String] = [:]

    /// Adds the probe addresses to the switches' bridges.
    init(lab: ResolvedLab) throws {
        self.lab = lab
        var used = Set(lab.nodes.flatMap { $0.interfaces.compactMap { $0.ipv4?.address } })
        for node in lab.nodes where node.kind == .switch {
            guard let segmentIndex = lab.links.first(where: { $0.a.node == node.name || $0.b.node == node.name })?.segment,
                  let prefix = lab.segments[segmentIndex].ipv4, case .v4(let network) = prefix.network
            else { continue }
            let size = UInt32(1) << UInt32(32 - prefix.length)
            guard size >= 4 else { continue }
            var candidate = network.value + size - 2
            while candidate > network.value, used.contains(.v4(IPv4Address(candidate))) { candidate -= 1 }
            guard candidate > network.value else { continue }
            let address = IPAddress.v4(IPv4Address(candidate))
            used.insert(address)
            let assigned = InterfaceAddress(address: address, prefixLength: prefix.length)
            let namespace = try NetworkNamespace.open(named: node.namespace)
            try NetlinkSocket.open(in: namespace).perform(try AddressRequest.add(assigned.kernelPrefix, interface: InterfaceIndexes.bridge))
            bridgeAddresses[node.name] = "\(address)"
        }
    }

    func ends(of link: ResolvedLink) throws -> (End, End) {
        (try end(link.a), try end(link.b))
    }

    func end(_ endpoint: LinkEndpoint) throws -> End {
        guard let node = lab.node(named: endpoint.node) else { throw CoreError.unsupported("no node \(endpoint.node)") }
        let namespace = try NetworkNamespace.open(named: node.namespace)
        if node.kind == .switch {
            guard let address = bridgeAddresses[node.name] else {
                throw CoreError.unsupported("switch \(node.name) has no free IPv4 address in its subnet to probe from")
            }
            return End(node: node.name, namespace: namespace, address: address, temporary: true)
        }
        guard let address = node.interface(named: endpoint.interface)?.ipv4?.address else {
            throw CoreError.unsupported("\(endpoint) has no IPv4 address to probe")
        }
        return End(node: node.name, namespace: namespace, address: "\(address)", temporary: false)
    }
}
