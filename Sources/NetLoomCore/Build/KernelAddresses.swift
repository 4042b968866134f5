import NetLoomKernel
import NetLoomModel

/// The lab model's address types as the kernel layer takes them (network-order bytes).
extension IPAddress {
    var kernelAddress: InetAddress {
        switch self {
        case .v4(let address):
            InetAddress(bytes: withUnsafeBytes(of: address.value.bigEndian) { Array($0) })!
        case .v6(let address):
            InetAddress(bytes: withUnsafeBytes(of: address.value.bigEndian) { Array($0) })!
        }
    }
}

extension InterfaceAddress {
    var kernelPrefix: InetPrefix {
        InetPrefix(address: address.kernelAddress, length: UInt8(prefixLength))!
    }
}

extension IPPrefix {
    var kernelPrefix: InetPrefix {
        InetPrefix(address: network.kernelAddress, length: UInt8(length))!
    }
}
