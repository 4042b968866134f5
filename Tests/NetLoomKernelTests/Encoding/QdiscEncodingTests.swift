import Testing
@testable import NetLoomKernel

/// Byte-exact checks of the qdisc messages NetLoom builds itself (libmnl), against
/// the layout of <linux/pkt_sched.h> written out by hand.
@Suite("Qdisc message encoding")
struct QdiscEncodingTests {
    // <linux/rtnetlink.h>, <linux/netlink.h>
    let rtmNewQdisc: UInt16 = 36
    let request: UInt16 = 0x1, ack: UInt16 = 0x4, replace: UInt16 = 0x100, excl: UInt16 = 0x200, create: UInt16 = 0x400
    let tcaKind: UInt16 = 1, tcaOptions: UInt16 = 2

    @Test func tbfBelowFourGigabytesPerSecondUsesOnlyThe32BitRate() throws {
        let tbf = TbfParameters(rateBitsPerSecond: 1_000_000_000, burstBytes: 125_000, limitBytes: 3_000_000)
        let message = try QdiscRequest.add(
            interface: 3, parent: .root, handle: QdiscHandle(major: 1), kind: .tbf(tbf))

        let expected = WireBytes.message(type: rtmNewQdisc, flags: request | ack | create | excl) { body in
            body.tcmsg(interface: 3, handle: 0x0001_0000, parent: 0xFFFF_FFFF)
            body.string(tcaKind, "tbf")
            body.attribute(tcaOptions) { options in
                options.attribute(1) { parms in  // TCA_TBF_PARMS: struct tc_tbf_qopt
                    // rate: cell_log, linklayer=ETHERNET, overhead, cell_align, mpu, rate (bytes/s)
                    parms.u8(0); parms.u8(1); parms.u16(0); parms.u16(0); parms.u16(0); parms.u32(125_000_000)
                    parms.bytes += [UInt8](repeating: 0, count: 12)  // peakrate: none
                    parms.u32(3_000_000)  // limit
                    parms.u32(1_000_000 / 64)  // buffer: 1 ms at 1 Gbit/s, in 64 ns ticks
                    parms.u32(0)  // mtu
                }
                options.attribute(6) { $0.u32(125_000) }  // TCA_TBF_BURST
            }
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")
    }

    @Test func tbfAt400GigabitSaturatesThe32BitRateAndSendsRate64() throws {
        let tbf = TbfParameters(rateBitsPerSecond: 400_000_000_000, burstBytes: 50_000_000, limitBytes: 400_000_000)
        let message = try QdiscRequest.add(
            interface: 9, parent: QdiscHandle(major: 1, minor: 1), handle: QdiscHandle(major: 0x10), kind: .tbf(tbf),
            replace: true)

        let expected = WireBytes.message(type: rtmNewQdisc, flags: request | ack | create | replace) { body in
            body.tcmsg(interface: 9, handle: 0x0010_0000, parent: 0x0001_0001)
            body.string(tcaKind, "tbf")
            body.attribute(tcaOptions) { options in
                options.attribute(1) { parms in
                    parms.u8(0); parms.u8(1); parms.u16(0); parms.u16(0); parms.u16(0); parms.u32(UInt32.max)
                    parms.bytes += [UInt8](repeating: 0, count: 12)
                    parms.u32(400_000_000)
                    parms.u32(1_000_000 / 64)  // 50 MB at 50 GB/s = 1 ms
                    parms.u32(0)
                }
                options.attribute(4) { $0.u64(50_000_000_000) }  // TCA_TBF_RATE64
                options.attribute(6) { $0.u32(50_000_000) }
            }
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")
        let decoded = try #require(QdiscInfo(message)?.kind)
        #expect(decoded == .tbf(tbf))
    }

    @Test func netemCarriesEveryParameterIn64BitUnits() throws {
        var netem = NetemParameters()
        netem.delay = .milliseconds(20)
        netem.jitter = .microseconds(1500)
        netem.delayCorrelation = 0.25
        netem.distribution = NetemDistribution(name: "test", table: [-2, 0, 2])
        netem.loss = .gilbertElliott(p: 0.01, r: 0.1, lossInBad: 0.7, lossInGood: 0.001)
        netem.duplicate = CorrelatedProbability(0.001, correlation: 0.5)
        netem.reorder = CorrelatedProbability(0.02, correlation: 0.1)
        netem.corrupt = CorrelatedProbability(0.0001)
        netem.rateBitsPerSecond = 100_000_000_000
        netem.limit = 50_000
        netem.seed = 42

        let message = try QdiscRequest.change(
            interface: 2, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem))
        let fraction = { (p: Double) in UInt32((p * Double(UInt32.max)).rounded()) }
        let expected = WireBytes.message(type: rtmNewQdisc, flags: request | ack) { body in
            body.tcmsg(interface: 2, handle: 0x0001_0000, parent: 0xFFFF_FFFF)
            body.string(tcaKind, "netem")
            body.attribute(tcaOptions) { options in
                // struct tc_netem_qopt: latency and jitter in 64 ns ticks, limit, loss, gap, duplicate
                options.u32(20_000_000 / 64); options.u32(50_000); options.u32(0); options.u32(1)
                options.u32(fraction(0.001)); options.u32(1_500_000 / 64)
                options.attribute(1) { $0.u32(fraction(0.25)); $0.u32(0); $0.u32(fraction(0.5)) }  // CORR
                options.attribute(10) { $0.i64(20_000_000) }  // LATENCY64
                options.attribute(11) { $0.i64(1_500_000) }  // JITTER64
                options.attribute(2) { $0.u16(UInt16(bitPattern: -2)); $0.u16(0); $0.u16(2) }  // DELAY_DIST
                options.attribute(3) { $0.u32(fraction(0.02)); $0.u32(fraction(0.1)) }  // REORDER
                options.attribute(4) { $0.u32(fraction(0.0001)); $0.u32(0) }  // CORRUPT
                options.attribute(5) { loss in  // LOSS { NETEM_LOSS_GE: p, r, h = 1 - lossInBad, k1 = lossInGood }
                    loss.attribute(2) {
                        $0.u32(fraction(0.01)); $0.u32(fraction(0.1)); $0.u32(fraction(0.3)); $0.u32(fraction(0.001))
                    }
                }
                options.attribute(8) { $0.u64(12_500_000_000) }  // RATE64 (bytes/s)
                options.attribute(6) { $0.u32(UInt32.max); $0.i32(0); $0.u32(0); $0.i32(0) }  // RATE
                options.attribute(14) { $0.u64(42) }  // PRNG_SEED
            }
        }
        #expect(message.bytes == expected, "\n\(message.bytes.hex)\n\(expected.hex)")

        // What the kernel would report back decodes to the same values (it never
        // reports the distribution table).
        var reported = netem
        reported.distribution = nil
        let decoded = try #require(QdiscInfo(message)?.kind)
        guard case .netem(let back) = decoded else { Issue.record("not netem"); return }
        #expect(back.delay == reported.delay && back.jitter == reported.jitter && back.limit == reported.limit)
        #expect(back.rateBitsPerSecond == reported.rateBitsPerSecond && back.seed == 42)
        #expect(abs(back.delayCorrelation - 0.25) < 1e-9)
        guard case .gilbertElliott(let p, let r, let lossInBad, let lossInGood) = back.loss else {
            Issue.record("loss model lost"); return
        }
        #expect(abs(p - 0.01) < 1e-9 && abs(r - 0.1) < 1e-9 && abs(lossInBad - 0.7) < 1e-9 && abs(lossInGood - 0.001) < 1e-9)
    }

    @Test func netemRandomLossGoesInTheQoptAndReorderImpliesGapOne() throws {
        var netem = NetemParameters()
        netem.delay = .milliseconds(1)
        netem.loss = .random(CorrelatedProbability(0.01, correlation: 0.25))
        netem.reorder = CorrelatedProbability(0.5)
        let message = try QdiscRequest.add(interface: 1, parent: .root, handle: QdiscHandle(major: 1), kind: .netem(netem))
        guard case .netem(let back) = try #require(QdiscInfo(message)?.kind) else { Issue.record("not netem"); return }
        #expect(back.reorderGap == 1)
        #expect(back.loss == .random(CorrelatedProbability(
            Double(UInt32((0.01 * Double(UInt32.max)).rounded())) / Double(UInt32.max),
            correlation: Double(UInt32((0.25 * Double(UInt32.max)).rounded())) / Double(UInt32.max))))
    }

    @Test func deleteRootQdisc() throws {
        let message = try QdiscRequest.delete(interface: 4)
        let expected = WireBytes.message(type: 37, flags: request | ack) { $0.tcmsg(interface: 4, handle: 0, parent: 0xFFFF_FFFF) }
        #expect(message.bytes == expected)
    }

    @Test func handlesPrintLikeTc() {
        #expect(QdiscHandle(major: 1).description == "1:")
        #expect(QdiscHandle(major: 0x10, minor: 1).description == "10:1")
        #expect(QdiscHandle.root.description == "root")
    }

    @Test func kernelUnitConversions() {
        #expect(KernelUnits.fraction(1) == UInt32.max)
        #expect(KernelUnits.fraction(0) == 0)
        #expect(KernelUnits.fraction(1.5) == UInt32.max)
        #expect(KernelUnits.ticks(.microseconds(1)) == 15)  // 1000 ns / 64
        #expect(KernelUnits.ticks(.seconds(1_000_000)) == UInt32.max)
        #expect(KernelUnits.nanoseconds(.milliseconds(20)) == 20_000_000)
    }
}
