// Lab model / Resolution: layering a link's fields (defaults.link < defaults from_a/from_b < link <
// link from_a/from_b), choosing its backend and MTU, and checking each direction for contradictions.

import Foundation

/// The merged (still as-written) shaping of one `links:` line; every link the line expands to shares it.
struct LinkShape {
    var aToB: ImpairmentSpec
    var bToA: ImpairmentSpec
    var backend: Backend
    var mtu: Int
}

/// What each backend can do. The one place to change when a backend learns something new.
enum BackendSupport {
    /// Features the kernel path (netem, tbf, htb) cannot provide, with the field that asks for them.
    static func kernelMissing(_ d: ImpairmentSpec) -> [(field: Located<String>, feature: String)] {
        var missing: [(Located<String>, String)] = []
        if let aqm = d.aqm, aqm.value != .droptail { missing.append((aqm.map(\.rawValue), "aqm \(aqm.value.rawValue)")) }
        if let trace = d.rateTrace { missing.append((trace, "rate_trace")) }
        return missing
    }
}

extension LabBuilder {
    func shapeLinks() {
        let defaults = spec.defaults
        shapes = spec.links.map { link in
            let fields = link.fields
            let aToB = fields.direction(fromA: true, over: defaults.direction(fromA: true, over: ImpairmentSpec()))
            let bToA = fields.direction(fromA: false, over: defaults.direction(fromA: false, over: ImpairmentSpec()))
            let backendSetting = fields.backend ?? defaults.backend ?? spec.backend
            let mtuSetting = fields.mtu ?? defaults.mtu ?? spec.settings.mtu
            let mtu = mtuSetting?.value ?? 1500
            if let mtuSetting, ipv6Enabled, mtu < 1280 {
                diagnostics.error(.conflict, mtuSetting, "MTU \(mtu) is below IPv6's minimum of 1280",
                                  allowed: "use 1280 or more, or set settings.ipv6: false")
            }
            var backend = backendSetting?.value ?? .auto
            var needsUserspace = false
            for direction in [aToB, bToA] {
                checkDirection(direction, mtu: mtu)
                let missing = BackendSupport.kernelMissing(direction)
                needsUserspace = needsUserspace || !missing.isEmpty
                if backend == .kernel, let setting = backendSetting {
                    for (field, feature) in missing {
                        diagnostics.error(.unsupportedByBackend, field, "\(feature) needs the userspace backend",
                                          allowed: "this link's backend is kernel (set at \(setting.location.line):\(setting.location.column)); use backend: userspace or auto")
                    }
                }
                if checkFiles, let trace = direction.rateTrace, !FileManager.default.fileExists(atPath: trace.value) {
                    diagnostics.error(.badValue, trace, "the rate trace \(trace.value) does not exist",
                                      allowed: "paths are relative to the lab file's folder")
                }
            }
            if backend == .auto && needsUserspace { backend = .userspace }
            return LinkShape(aToB: aToB, bToA: bToA, backend: backend, mtu: mtu)
        }
    }

    /// Contradictions within one direction, reported at the field that asks for the impossible.
    func checkDirection(_ d: ImpairmentSpec, mtu: Int) {
        func isZero(_ p: Located<Percent>?) -> Bool { p?.value.isZero ?? true }
        let delay = d.delay?.value ?? .zero
        let jitter = d.jitter?.value ?? .zero
        if let reorder = d.reorder, !reorder.value.isZero, delay == .zero {
            diagnostics.error(.conflict, reorder, "reorder needs a delay",
                              allowed: "netem reorders by sending some packets at once while delaying the rest; add e.g. delay: 1ms")
        }
        let pairs: [(Located<Percent>?, Bool, String, String)] = [
            (d.delayCorrelation, jitter == .zero, "delay_correlation", "jitter"),
            (d.reorderCorrelation, isZero(d.reorder), "reorder_correlation", "reorder"),
            (d.duplicateCorrelation, isZero(d.duplicate), "duplicate_correlation", "duplicate"),
            (d.corruptCorrelation, isZero(d.corrupt), "corrupt_correlation", "corrupt"),
        ]
        for (correlation, baseMissing, name, base) in pairs {
            if let correlation, !correlation.value.isZero, baseMissing {
                diagnostics.error(.conflict, correlation, "\(name) without \(base)",
                                  allowed: "a correlation only shapes a \(base) that is set; add \(base) or remove \(name)")
            }
        }
        if let correlation = d.lossCorrelation, !correlation.value.isZero {
            if d.lossModel != nil {
                diagnostics.error(.conflict, correlation, "loss_correlation does not apply to loss_model",
                                  allowed: "the Gilbert-Elliott model has its own burstiness (p and r); remove loss_correlation")
            } else if isZero(d.loss) {
                diagnostics.error(.conflict, correlation, "loss_correlation without loss",
                                  allowed: "a correlation only shapes a loss that is set; add loss or remove loss_correlation")
            }
        }
        if let distribution = d.distribution, distribution.value != .uniform, jitter == .zero {
            diagnostics.error(.conflict, distribution, "distribution \(distribution.value.rawValue) without jitter",
                              allowed: "the distribution shapes jitter; add e.g. jitter: 1ms")
        }
        if let queue = d.queue, case .bytes(let size) = queue.value, size.bytes < UInt64(mtu + 14) {
            diagnostics.error(.badValue, queue, "a \(size) queue cannot hold one \(mtu + 14)-byte frame",
                              allowed: "use at least \(mtu + 14)B, or a number of packets")
        }
    }
}
