import CNetLoomShims

/// TCA_NETEM_PRNG_SEED (Linux 6.3); newer than the UAPI headers NetLoom builds with.
let tcaNetemPrngSeed: UInt16 = 14

/// netem's TCA_OPTIONS: `struct tc_netem_qopt` followed by attributes (tc's "compat"
/// nesting). Delay and jitter always go as 64-bit nanoseconds (TCA_NETEM_LATENCY64 /
/// JITTER64, which override the 32-bit tick fields), so sub-microsecond values and
/// delays beyond 274 s survive.
enum NetemEncoding {
    static func encode(_ netem: NetemParameters, into builder: NetlinkMessageBuilder) {
        var options = tc_netem_qopt()
        options.latency = KernelUnits.ticks(netem.delay)
        options.jitter = KernelUnits.ticks(netem.jitter)
        options.limit = netem.limit
        options.duplicate = KernelUnits.fraction(netem.duplicate.probability)
        if case .random(let loss) = netem.loss { options.loss = KernelUnits.fraction(loss.probability) }
        options.gap = netem.reorder.probability > 0 ? max(netem.reorderGap, 1) : netem.reorderGap

        builder.nestCompat(TCA_OPTIONS, leading: options) {
            var correlation = tc_netem_corr()
            correlation.delay_corr = KernelUnits.fraction(netem.delayCorrelation)
            if case .random(let loss) = netem.loss { correlation.loss_corr = KernelUnits.fraction(loss.correlation) }
            correlation.dup_corr = KernelUnits.fraction(netem.duplicate.correlation)
            builder.putStruct(TCA_NETEM_CORR, correlation)

            builder.put(TCA_NETEM_LATENCY64, KernelUnits.nanoseconds(netem.delay))
            builder.put(TCA_NETEM_JITTER64, KernelUnits.nanoseconds(netem.jitter))

            if let distribution = netem.distribution {
                distribution.table.withUnsafeBytes { builder.putBytes(TCA_NETEM_DELAY_DIST, $0) }
            }
            var reorder = tc_netem_reorder()
            reorder.probability = KernelUnits.fraction(netem.reorder.probability)
            reorder.correlation = KernelUnits.fraction(netem.reorder.correlation)
            builder.putStruct(TCA_NETEM_REORDER, reorder)

            var corrupt = tc_netem_corrupt()
            corrupt.probability = KernelUnits.fraction(netem.corrupt.probability)
            corrupt.correlation = KernelUnits.fraction(netem.corrupt.correlation)
            builder.putStruct(TCA_NETEM_CORRUPT, corrupt)

            if case .gilbertElliott(let p, let r, let lossInBad, let lossInGood) = netem.loss {
                builder.nest(TCA_NETEM_LOSS) {
                    var model = tc_netem_gemodel()
                    model.p = KernelUnits.fraction(p)
                    model.r = KernelUnits.fraction(r)
                    // The kernel's h is the probability of *delivery* in the bad state.
                    model.h = KernelUnits.fraction(1 - lossInBad)
                    model.k1 = KernelUnits.fraction(lossInGood)
                    builder.putStruct(UInt16(NETEM_LOSS_GE), model)
                }
            }
            if let bits = netem.rateBitsPerSecond {
                let bytes = KernelUnits.bytesPerSecond(bits)
                var rate = tc_netem_rate()
                rate.rate = UInt32(clamping: bytes)
                rate.packet_overhead = netem.packetOverhead
                if bytes > UInt64(UInt32.max) {
                    rate.rate = UInt32.max
                    builder.put(TCA_NETEM_RATE64, bytes)
                }
                builder.putStruct(TCA_NETEM_RATE, rate)
            }
            if netem.ecn { builder.put(TCA_NETEM_ECN, UInt32(1)) }
            if let slot = netem.slot {
                var value = tc_netem_slot()
                value.min_delay = KernelUnits.nanoseconds(slot.minimumDelay)
                value.max_delay = KernelUnits.nanoseconds(slot.maximumDelay)
                value.max_packets = slot.maximumPackets
                value.max_bytes = slot.maximumBytes
                builder.putStruct(TCA_NETEM_SLOT, value)
            }
            if let seed = netem.seed { builder.put(tcaNetemPrngSeed, seed) }
        }
    }

    /// Reads back what the kernel reports. The delay distribution table is never
    /// dumped, so `distribution` stays nil.
    static func decode(_ options: ArraySlice<UInt8>) -> NetemParameters? {
        guard options.count >= MemoryLayout<tc_netem_qopt>.size else { return nil }
        let qopt = options.withUnsafeBytes { $0.loadUnaligned(as: tc_netem_qopt.self) }
        let attributes = NetlinkAttributes(options.dropFirst(netlinkAlign(MemoryLayout<tc_netem_qopt>.size)))
        var netem = NetemParameters()
        netem.limit = qopt.limit
        netem.delay = attributes.integer(TCA_NETEM_LATENCY64, as: Int64.self).map { .nanoseconds($0) }
            ?? KernelUnits.duration(ticks: qopt.latency)
        netem.jitter = attributes.integer(TCA_NETEM_JITTER64, as: Int64.self).map { .nanoseconds($0) }
            ?? KernelUnits.duration(ticks: qopt.jitter)
        netem.reorderGap = qopt.gap
        let correlation = attributes.value(TCA_NETEM_CORR, as: tc_netem_corr.self) ?? tc_netem_corr()
        netem.delayCorrelation = KernelUnits.probability(correlation.delay_corr)
        netem.duplicate = CorrelatedProbability(
            KernelUnits.probability(qopt.duplicate), correlation: KernelUnits.probability(correlation.dup_corr))
        if let model = attributes.nested(TCA_NETEM_LOSS)?.value(UInt16(NETEM_LOSS_GE), as: tc_netem_gemodel.self) {
            netem.loss = .gilbertElliott(
                p: KernelUnits.probability(model.p), r: KernelUnits.probability(model.r),
                lossInBad: 1 - KernelUnits.probability(model.h), lossInGood: KernelUnits.probability(model.k1))
        } else if qopt.loss > 0 {
            netem.loss = .random(CorrelatedProbability(
                KernelUnits.probability(qopt.loss), correlation: KernelUnits.probability(correlation.loss_corr)))
        }
        if let reorder = attributes.value(TCA_NETEM_REORDER, as: tc_netem_reorder.self) {
            netem.reorder = CorrelatedProbability(
                KernelUnits.probability(reorder.probability), correlation: KernelUnits.probability(reorder.correlation))
        }
        if let corrupt = attributes.value(TCA_NETEM_CORRUPT, as: tc_netem_corrupt.self) {
            netem.corrupt = CorrelatedProbability(
                KernelUnits.probability(corrupt.probability), correlation: KernelUnits.probability(corrupt.correlation))
        }
        if let rate = attributes.value(TCA_NETEM_RATE, as: tc_netem_rate.self) {
            let bytes = attributes.integer(TCA_NETEM_RATE64, as: UInt64.self) ?? UInt64(rate.rate)
            netem.rateBitsPerSecond = bytes > 0 ? bytes * 8 : nil
            netem.packetOverhead = rate.packet_overhead
        }
        netem.ecn = (attributes.integer(TCA_NETEM_ECN, as: UInt32.self) ?? 0) != 0
        if let slot = attributes.value(TCA_NETEM_SLOT, as: tc_netem_slot.self) {
            netem.slot = NetemSlot(
                minimumDelay: .nanoseconds(slot.min_delay), maximumDelay: .nanoseconds(slot.max_delay),
                maximumPackets: slot.max_packets, maximumBytes: slot.max_bytes)
        }
        netem.seed = attributes.integer(tcaNetemPrngSeed, as: UInt64.self)
        return netem
    }
}
