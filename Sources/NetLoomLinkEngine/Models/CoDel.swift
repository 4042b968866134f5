/// CoDel's dequeue-time decision (RFC 8289, section 5), evaluated in the rate stage's
/// virtual time: `now` is the frame's service start and `sojourn` how long it waited
/// in the queue. `backlog` is the queue's wire bytes when the frame arrived (the
/// engine decides at arrival, so the frames behind it are not known yet; in steady
/// state the backlog ahead of a frame is close to the one behind it).
struct CoDel {
    let target: Int64
    let interval: Int64
    /// Below this backlog CoDel never drops (the RFC's "maxpacket" check).
    let mtu: Int

    private var firstAboveTime: Int64 = 0
    private var dropNext: Int64 = 0
    private var count: UInt32 = 0
    private var lastCount: UInt32 = 0
    private(set) var dropping = false

    init(target: Duration, interval: Duration, mtu: Int = 1514) {
        self.target = target.nanoseconds
        self.interval = interval.nanoseconds
        self.mtu = mtu
    }

    private func controlLaw(_ t: Int64) -> Int64 {
        t + Int64(Double(interval) / Double(max(count, 1)).squareRoot())
    }

    private mutating func okToDrop(now: Int64, sojourn: Int64, backlog: Int) -> Bool {
        if sojourn < target || backlog <= mtu {
            firstAboveTime = 0
            return false
        }
        if firstAboveTime == 0 {
            firstAboveTime = now + interval
            return false
        }
        return now >= firstAboveTime
    }

    /// Whether the frame is dropped instead of served.
    mutating func shouldDrop(now: Int64, sojourn: Int64, backlog: Int) -> Bool {
        let ok = okToDrop(now: now, sojourn: sojourn, backlog: backlog)
        if dropping {
            if !ok {
                dropping = false
                return false
            }
            if now >= dropNext {
                count &+= 1
                dropNext = controlLaw(dropNext)
                return true
            }
            return false
        }
        if ok {
            dropping = true
            let delta = count &- lastCount
            count = (delta > 1 && now - dropNext < 16 * interval) ? delta : 1
            dropNext = controlLaw(now)
            lastCount = count
            return true
        }
        return false
    }
}
