import Foundation

/// A process known by pid and start time, so a recycled pid is never mistaken for it.
public enum ProcessIdentity {
    /// Field 22 of /proc/PID/stat (start time in clock ticks since boot), or nil if the
    /// process is gone.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may contain spaces) start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// Whether `pid` is still the process that had `startTime`.
    public static func isAlive(pid: Int32, startTime: UInt64) -> Bool {
        Self.startTime(of: pid) == startTime
    }

    /// SIGTERM, then SIGKILL after `grace`, and wait for it to go.
    public static func stop(pid: Int32, startTime: UInt64, grace: Duration = .seconds(2)) {
        guard isAlive(pid: pid, startTime: startTime) else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isAlive(pid: pid, startTime: startTime) && ContinuousClock.now < deadline {
            usleep(10_000)
            reap(pid)
        }
        if isAlive(pid: pid, startTime: startTime) {
            kill(pid, SIGKILL)
            while isAlive(pid: pid, startTime: startTime) {
                usleep(5_000)
                reap(pid)
            }
        }
    }

    /// Collects the exit status if `pid` is our child (else a no-op), so it does not
    /// linger as a zombie that still looks alive in /proc.
    static func reap(_ pid: Int32) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}
