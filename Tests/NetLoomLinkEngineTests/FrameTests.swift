import CNetLoomShims
import Testing
@testable import NetLoomLinkEngine

/// A vnet header + Ethernet/IPv4/TCP frame (TCP header with 12 option bytes: 32
/// bytes), with NEEDS_CSUM and the pseudo-header sum in the TCP checksum field as
/// the kernel leaves it, and GSO TCPV4 when `gsoSize` > 0.
func makeTCPFrame(payload: Int, gsoSize: Int, ipv6: Bool = false) -> [UInt8] {
    let l3 = 14, ipLen = ipv6 ? 40 : 20, l4 = l3 + ipLen, hdr = l4 + 32
    var f = [UInt8](repeating: 0, count: hdr + payload)
    for i in 0..<12 { f[i] = UInt8(i + 1) }
    f[12] = ipv6 ? 0x86 : 0x08; f[13] = ipv6 ? 0xdd : 0x00
    if ipv6 {
        f[l3] = 0x60
        let plen = 32 + payload
        f[l3 + 4] = UInt8((plen >> 8) & 0xff); f[l3 + 5] = UInt8(plen & 0xff)
        f[l3 + 6] = 6; f[l3 + 7] = 64
        for i in 0..<16 { f[l3 + 8 + i] = 0xfd; f[l3 + 24 + i] = 0xfd }
        f[l3 + 23] = 1; f[l3 + 39] = 2
    } else {
        f[l3] = 0x45
        let tot = 20 + 32 + payload
        f[l3 + 2] = UInt8((tot >> 8) & 0xff); f[l3 + 3] = UInt8(tot & 0xff)
        f[l3 + 4] = 0x12; f[l3 + 5] = 0x34
        f[l3 + 8] = 64; f[l3 + 9] = 6
        f[l3 + 12] = 10; f[l3 + 15] = 1; f[l3 + 16] = 10; f[l3 + 19] = 2
        let c = checksum(f[l3..<(l3 + 20)])
        f[l3 + 10] = UInt8(c >> 8); f[l3 + 11] = UInt8(c & 0xff)
    }
    f[l4] = 0x30; f[l4 + 1] = 0x39; f[l4 + 2] = 0x00; f[l4 + 3] = 0x50
    f[l4 + 4] = 0x10; f[l4 + 5] = 0x00; f[l4 + 6] = 0x00; f[l4 + 7] = 0x00   // seq 0x10000000
    f[l4 + 12] = 0x80                                                           // data offset 8 words
    f[l4 + 13] = 0x18                                                           // PSH ACK
    for i in 0..<payload { f[hdr + i] = UInt8(truncatingIfNeeded: i * 7 + 3) }
    // The partial checksum: the folded pseudo-header sum, not complemented.
    var sum = pseudoHeaderSum(f, l3: l3, ipv6: ipv6, l4Length: 32 + payload)
    while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
    f[l4 + 16] = UInt8(sum >> 8); f[l4 + 17] = UInt8(sum & 0xff)
    var vnet = [UInt8](repeating: 0, count: 10)
    vnet[0] = 1                                           // NEEDS_CSUM
    vnet[1] = gsoSize > 0 ? (ipv6 ? 4 : 1) : 0            // TCPV6 / TCPV4
    vnet[2] = UInt8(hdr & 0xff)
    vnet[4] = UInt8(gsoSize & 0xff); vnet[5] = UInt8(gsoSize >> 8)
    vnet[6] = UInt8(l4 & 0xff)                            // csum_start
    vnet[8] = 16                                          // csum_offset
    return vnet + f
}

func pseudoHeaderSum(_ f: [UInt8], l3: Int, ipv6: Bool, l4Length: Int) -> UInt32 {
    var sum: UInt32 = 0
    let range = ipv6 ? (l3 + 8)..<(l3 + 40) : (l3 + 12)..<(l3 + 20)
    for i in stride(from: range.lowerBound, to: range.upperBound, by: 2) { sum += UInt32(f[i]) << 8 | UInt32(f[i + 1]) }
    return sum + 6 + UInt32(l4Length)
}

func checksum<C: Collection>(_ bytes: C, initial: UInt32 = 0) -> UInt16 where C.Element == UInt8 {
    var sum = initial
    var high = true
    for b in bytes {
        sum += high ? UInt32(b) << 8 : UInt32(b)
        high.toggle()
    }
    while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
    return ~UInt16(sum)
}

func netloomShape(_ frame: [UInt8]) -> netloom_frame_shape {
    var shape = netloom_frame_shape()
    frame.withUnsafeBufferPointer { netloom_engine_frame_shape($0.baseAddress, UInt32($0.count), &shape) }
    return shape
}

/// Whether a plain frame (vnet header + frame) has valid IPv4 and TCP checksums.
func checksumsValid(_ buffer: ArraySlice<UInt8>, ipv6: Bool = false) -> Bool {
    let f = Array(buffer.dropFirst(10))
    let l3 = 14, l4 = ipv6 ? 54 : 34
    if !ipv6 && checksum(f[l3..<(l3 + 20)]) != 0 { return false }
    let l4Length = f.count - l4
    return checksum(f[l4...], initial: pseudoHeaderSum(f, l3: l3, ipv6: ipv6, l4Length: l4Length)) == 0
}

struct FrameSurgeryTests {
    @Test(arguments: [false, true])
    func segmentationMakesValidFrames(ipv6: Bool) {
        let payload = 1448 * 4 + 17
        let frame = makeTCPFrame(payload: payload, gsoSize: 1448, ipv6: ipv6)
        var out = [UInt8](repeating: 0, count: 128 * 1024)
        var offsets = [UInt32](repeating: 0, count: 64), lengths = [UInt32](repeating: 0, count: 64)
        let n = frame.withUnsafeBufferPointer { src in
            netloom_engine_segment(src.baseAddress, UInt32(src.count), &out, UInt32(out.count), &offsets, &lengths, 64)
        }
        #expect(n == 5)
        let hdr = ipv6 ? 14 + 40 + 32 : 14 + 20 + 32
        var reassembled: [UInt8] = []
        for i in 0..<Int(n) {
            let seg = out[Int(offsets[i])..<Int(offsets[i] + lengths[i])]
            #expect(seg.prefix(10).allSatisfy { $0 == 0 }, "plain vnet header")
            #expect(checksumsValid(seg, ipv6: ipv6), "segment \(i) checksums")
            let f = Array(seg.dropFirst(10))
            let l4 = ipv6 ? 54 : 34
            let seq = UInt32(f[l4 + 4]) << 24 | UInt32(f[l4 + 5]) << 16 | UInt32(f[l4 + 6]) << 8 | UInt32(f[l4 + 7])
            #expect(seq == 0x1000_0000 + UInt32(i * 1448))
            let psh = f[l4 + 13] & 0x08 != 0
            #expect(psh == (i == Int(n) - 1))
            reassembled += f[hdr...]
        }
        #expect(reassembled == Array(frame[(10 + hdr)...]))
    }

    @Test func corruptionFlipsOneBitAndBreaksTheChecksum() {
        var frame = makeTCPFrame(payload: 1000, gsoSize: 0)
        var reference = frame
        reference.withUnsafeMutableBufferPointer { #expect(netloom_engine_finish_checksum($0.baseAddress, UInt32($0.count)) == 0) }
        #expect(checksumsValid(reference[...]))
        frame.withUnsafeMutableBufferPointer { #expect(netloom_engine_corrupt($0.baseAddress, UInt32($0.count), 0x0000_0005_0000_0123) == 0) }
        #expect(frame[0] == 0, "NEEDS_CSUM and DATA_VALID cleared")
        let flipped = zip(frame.dropFirst(10), reference.dropFirst(10)).map { ($0 ^ $1).nonzeroBitCount }.reduce(0, +)
        #expect(flipped == 1)
        #expect(!checksumsValid(frame[...]))
        // GSO frames must be segmented first.
        var gso = makeTCPFrame(payload: 4000, gsoSize: 1448)
        gso.withUnsafeMutableBufferPointer { #expect(netloom_engine_corrupt($0.baseAddress, UInt32($0.count), 1) == -1) }
    }
}
