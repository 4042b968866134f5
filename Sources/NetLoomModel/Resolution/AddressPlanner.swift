// Lab model / Resolution: the address plan. Each segment gets a subnet from the pool (IPv4 /24 or a larger
// aligned block for big segments, IPv6 <pool>:k::/64), members get .1, .2, ... in link order. Explicit
// addresses win and fix their segment's subnet; automatic ones then fill that subnet around them.

extension LabBuilder {
    func planAddresses() {
        if let pool = spec.addressing.ipv4?.value { ipv4Pool = pool }
        if let pool = spec.addressing.ipv6?.value { ipv6Pool = pool }
        var memberOfPort: [Int: Int] = [:]
        for (m, member) in members.enumerated() { memberOfPort[member.link * 2 + (member.isA ? 0 : 1)] = m }

        for ipv4 in [true, false] {
            if !ipv4 && !ipv6Enabled {
                for link in spec.links { if let pair = link.ipv6 {
                    diagnostics.error(.addressing, at: pair.location, path: pair.path, "IPv6 addresses on a lab without IPv6",
                                      allowed: "remove them or set settings.ipv6: true")
                } }
                continue
            }
            var explicit: [Int: Located<InterfaceAddress>] = [:]
            for (l, link) in links.enumerated() {
                let linkSpec = spec.links[link.spec]
                guard let pair = ipv4 ? linkSpec.ipv4 : linkSpec.ipv6 else { continue }
                for (isA, address) in [(true, pair.a), (false, pair.b)] {
                    guard let address else { continue }
                    let port = link.port(isA)
                    guard let m = memberOfPort[l * 2 + (isA ? 0 : 1)] else {
                        diagnostics.error(.addressing, address, "`\(nodes[port.node].name)` is a switch; switch ports get no addresses",
                                          allowed: "use null for the switch side")
                        continue
                    }
                    explicit[m] = address
                }
            }
            planFamily(ipv4: ipv4, explicit: explicit)
        }
    }

    private func planFamily(ipv4: Bool, explicit: [Int: Located<InterfaceAddress>]) {
        let pool = ipv4 ? ipv4Pool : ipv6Pool
        let poolSetting = ipv4 ? spec.addressing.ipv4 : spec.addressing.ipv6
        let poolLocation = poolSetting?.location ?? spec.location
        let poolPath = poolSetting?.path ?? (ipv4 ? "addressing.ipv4" : "addressing.ipv6")

        // Explicit subnets: one per segment, unique addresses, no overlap between segments.
        var fixed: [Int: (prefix: IPPrefix, at: Located<InterfaceAddress>)] = [:]
        var usedAddress: [IPAddress: LabLocation] = [:]
        for m in explicit.keys.sorted() {
            let address = explicit[m]!
            let segment = members[m].segment
            if let first = usedAddress[address.value.address] {
                diagnostics.error(.addressing, address, "address \(address.value.address) is already used",
                                  allowed: "first used at \(first.line):\(first.column)")
                continue
            }
            usedAddress[address.value.address] = address.location
            if let existing = fixed[segment] {
                if existing.prefix != address.value.network {
                    diagnostics.error(.addressing, address, "\(address.value) is not in the subnet \(existing.prefix) of its segment",
                                      allowed: "every address on one switch or link shares a subnet (\(existing.at.value) at \(existing.at.location.line):\(existing.at.location.column))")
                }
                continue
            }
            fixed[segment] = (address.value.network, address)
        }
        let fixedList = fixed.sorted { $0.key < $1.key }
        for (i, x) in fixedList.enumerated() {
            for y in fixedList[(i + 1)...] where x.value.prefix.overlaps(y.value.prefix) {
                diagnostics.error(.addressing, y.value.at, "subnet \(y.value.prefix) overlaps \(x.value.prefix) of another segment",
                                  allowed: "set at \(x.value.at.location.line):\(x.value.at.location.column); segments need separate subnets")
            }
        }
        let reserved = fixedList.map(\.value.prefix)

        // Automatic subnets in order of each segment's first link.
        var cursor: UInt128 = 0
        var exhausted = false
        for s in segments.indices where !segments[s].members.isEmpty {
            if let prefix = fixed[s]?.prefix {
                setPrefix(prefix, segment: s, ipv4: ipv4)
                continue
            }
            guard !exhausted else { continue }
            let count = segments[s].members.count
            let length: Int
            if ipv4 {
                guard let fit = stride(from: 24, through: pool.length, by: -1).first(where: { (UInt128(1) << UInt128(32 - $0)) - 3 >= UInt128(count) }) else {
                    diagnostics.error(.addressing, at: poolLocation, path: poolPath,
                                      "a segment with \(count) members does not fit in the pool \(pool)", allowed: "use a larger pool")
                    exhausted = true
                    continue
                }
                length = fit
            } else {
                length = 64
            }
            let block = UInt128(1) << UInt128((ipv4 ? 32 : 128) - length)
            var placed: IPPrefix?
            while cursor + block <= pool.size {
                cursor = (cursor + block - 1) / block * block
                guard cursor + block <= pool.size else { break }
                let candidate = IPPrefix(network: pool.address(at: cursor), length: length)
                cursor += block
                if !reserved.contains(where: { $0.overlaps(candidate) }) {
                    placed = candidate
                    break
                }
            }
            guard let placed else {
                diagnostics.error(.addressing, at: poolLocation, path: poolPath,
                                  "the pool \(pool) has no room for the lab's \(segments.filter { !$0.members.isEmpty }.count) subnets",
                                  allowed: "use a larger pool")
                exhausted = true
                continue
            }
            setPrefix(placed, segment: s, ipv4: ipv4)
        }
        guard !exhausted else { return }

        // Addresses: explicit ones stay, the rest take the lowest free host numbers.
        for s in segments.indices where !segments[s].members.isEmpty {
            guard let prefix = ipv4 ? segments[s].ipv4 : segments[s].ipv6 else { continue }
            let taken = Set(segments[s].members.compactMap { explicit[$0]?.value.address.bits })
            let lastHost: UInt128 = ipv4 && prefix.length < 31 ? prefix.size - 2 : prefix.size - 1
            var offset: UInt128 = ipv4 && prefix.length >= 31 ? 0 : 1
            for m in segments[s].members {
                var address: InterfaceAddress
                if let fixedAddress = explicit[m]?.value {
                    address = fixedAddress
                } else {
                    while offset <= lastHost && taken.contains(prefix.network.bits + offset) { offset += 1 }
                    guard offset <= lastHost else {
                        let at = fixed[s]?.at
                        diagnostics.error(.addressing, at: at?.location ?? poolLocation, path: at?.path ?? poolPath,
                                          "subnet \(prefix) is too small for its \(segments[s].members.count) members",
                                          allowed: "use a shorter prefix")
                        break
                    }
                    address = InterfaceAddress(address: prefix.address(at: offset), prefixLength: prefix.length)
                    offset += 1
                }
                if ipv4 { members[m].ipv4 = address } else { members[m].ipv6 = address }
            }
        }
    }

    private func setPrefix(_ prefix: IPPrefix, segment s: Int, ipv4: Bool) {
        if ipv4 { segments[s].ipv4 = prefix } else { segments[s].ipv6 = prefix }
    }
}
