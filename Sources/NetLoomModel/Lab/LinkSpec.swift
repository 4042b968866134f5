// Lab model / Lab: one line of `links:` as written; a line with a range expands to several links.

/// Explicit addresses for the two endpoints of a link (`ipv4: [10.9.0.1/30, 10.9.0.2/30]`); `null` leaves a
/// side automatic (and is required for a switch side).
public struct AddressPairSpec: Sendable, Codable, Equatable {
    public var a: Located<InterfaceAddress>?
    public var b: Located<InterfaceAddress>?
    public var location: LabLocation
    public var path: String
}

/// A `links:` entry.
public struct LinkSpec: Sendable, Codable, Equatable {
    /// The two endpoint patterns as written: `gpu[0-7]`, `tor`, `r1:wan0`.
    public var endpoints: [Located<String>]
    public var name: Located<String>?
    public var fields: LinkFieldsSpec
    public var ipv4: AddressPairSpec?
    public var ipv6: AddressPairSpec?
    public var location: LabLocation
    public var path: String
}
