import NetLoomKernel

/// NetLoom marks every namespace it creates with an interface alias on its loopback:
/// `netloom:<lab>:<instance>`. The kernel keeps it with the namespace, so whoever
/// finds the namespace later can tell whose it is.
public enum OwnershipTag {
    public static func make(lab: String, instance: String) -> String { "netloom:\(lab):\(instance)" }

    /// The loopback's alias in `namespace`, if any.
    public static func read(_ namespace: NetworkNamespace) -> String? {
        guard let socket = try? NetlinkSocket.open(in: namespace),
              let links = try? socket.dump(LinkRequest.list())
        else { return nil }
        return links.compactMap(LinkInfo.init).first { $0.index == 1 }?.alias
    }

    /// The request that writes the tag (and brings the loopback up).
    public static func apply(_ tag: String) throws -> NetlinkMessage {
        try LinkRequest.setState(index: 1, up: true, alias: tag)
    }
}
