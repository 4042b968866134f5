import Testing
@testable import NetLoomModel

@Test func smokeStar() throws {
    let lab = try resolve("""
    name: star
    defaults:
      link: { delay: 50us, rate: 25gbit }
    nodes:
      gpu[0-3]: { kind: host }
      tor: { kind: switch }
    links:
      - endpoints: ["gpu[0-3]", tor]
    """)
    print(lab.nodes.map { "\($0.name) \($0.interfaces.map { "\($0.name) \($0.ipv4?.description ?? "-") \($0.ipv6?.description ?? "-")" }) \($0.routes)" })
    print(lab.links[0])
    print(lab.rttReference)
}
