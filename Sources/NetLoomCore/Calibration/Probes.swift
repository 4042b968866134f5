import Foundation
import NetLoomKernel
import NetLoomPluginAPI
import Synchronization

/// The measurements of `netloom calibrate`, each between two namespaces over real sockets:
/// UDP round trips, TCP goodput, UDP loss. Blocking, on plain threads.
enum Probes {
    /// Monotonic nanoseconds (the same clock for sender and receiver: one process).
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Sends `count` UDP probes from `a`, `interval` apart, to an echo on `b` at `address`, and
    /// returns the round-trip times (milliseconds) of those answered within `timeout`.
    static func roundTrips(
        from a: NetworkNamespace, to b: NetworkNamespace, address: String, count: Int, interval: Duration, timeout: Duration
    ) throws -> [Double] {
        let echo = try ProbeSocket(Int32(SOCK_DGRAM.rawValue), in: b)
        try echo.bind(port: 0)
        echo.setReceiveTimeout(.milliseconds(100))
        let stop = StopFlag()
        let server = try DedicatedThread.start(name: "netloom-probe") {
            var buffer = [UInt8](repeating: 0, count: 64)
            var sender = sockaddr_in6()
            while !stop.isStopped {
                guard let size = buffer.withUnsafeMutableBytes({ echo.receive(into: $0, from: &sender) }) else { continue }
                _ = buffer.withUnsafeBytes { echo.send(UnsafeRawBufferPointer(rebasing: $0[..<size]), to: &sender) }
            }
        }
        defer {
            stop.stop()
            _ = try? server.value()
        }
        let client = try ProbeSocket(Int32(SOCK_DGRAM.rawValue), in: a)
        try client.bind(port: 0)
        client.setReceiveTimeout(.milliseconds(50))
        var target = try ProbeSocket.address(address, port: echo.port)
        let samples = Mutex<[Double]>([])
        let sent = Mutex<UInt64>(0)
        let receiver = try DedicatedThread.start(name: "netloom-probe") {
            var buffer = [UInt8](repeating: 0, count: 64)
            var from = sockaddr_in6()
            var deadline: UInt64 = .max
            while now() < deadline {
                if sent.withLock({ $0 }) == UInt64(count), deadline == .max {
                    deadline = now() + UInt64(timeout.components.seconds) * 1_000_000_000 + UInt64(timeout.components.attoseconds / 1_000_000_000)
                }
                guard let size = buffer.withUnsafeMutableBytes({ client.receive(into: $0, from: &from) }), size >= 16 else { continue }
                let stamp = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
                let rtt = Double(now() - stamp) / 1e6
                let all = samples.withLock { $0.append(rtt); return $0.count }
                if all == count { return }
            }
        }
        var payload = [UInt8](repeating: 0, count: 16)
        for sequence in 0..<count {
            payload.withUnsafeMutableBytes {
                $0.storeBytes(of: UInt64(sequence), toByteOffset: 0, as: UInt64.self)
                $0.storeBytes(of: now(), toByteOffset: 8, as: UInt64.self)
            }
            _ = payload.withUnsafeBytes { client.send($0, to: &target) }
            sent.withLock { $0 += 1 }
            Thread.sleep(forTimeInterval: seconds(interval))
        }
        try receiver.value()
        return samples.withLock { $0 }
    }

    /// TCP from `a` to a receiver on `b` at `address`: bits per second delivered during
    /// `window`, after `warmUp` (slow start).
    static func goodput(from a: NetworkNamespace, to b: NetworkNamespace, address: String, warmUp: Duration, window: Duration) throws -> Double {
        let listener = try ProbeSocket(Int32(SOCK_STREAM.rawValue), in: b)
        try listener.bind(port: 0)
        try listener.listen()
        let received = Mutex<UInt64>(0)
        let server = try DedicatedThread.start(name: "netloom-probe") {
            let connection = try listener.accept()
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while let count = buffer.withUnsafeMutableBytes({ connection.receive(into: $0) }), count > 0 {
                received.withLock { $0 += UInt64(count) }
            }
        }
        let client = try ProbeSocket(Int32(SOCK_STREAM.rawValue), in: a)
        do {
            try client.connect(to: address, port: listener.port)
        } catch {
            listener.shutdown()  // wakes the server's accept
            _ = try? server.value()
            throw error
        }
        let stop = StopFlag()
        let sender = try DedicatedThread.start(name: "netloom-probe") {
            let chunk = [UInt8](repeating: 0x5A, count: 1 << 20)
            while !stop.isStopped {
                guard chunk.withUnsafeBytes({ client.send($0) }) != nil else { return }
            }
        }
        Thread.sleep(forTimeInterval: seconds(warmUp))
        let (startBytes, startTime) = (received.withLock { $0 }, now())
        Thread.sleep(forTimeInterval: seconds(window))
        let (endBytes, endTime) = (received.withLock { $0 }, now())
        stop.stop()
        client.shutdown()
        _ = try? sender.value()
        _ = try? server.value()
        return Double(endBytes - startBytes) * 8 / (Double(endTime - startTime) / 1e9)
    }

    /// `datagrams` UDP datagrams from `a` to `b` at `address`, paced at `perSecond`; how many
    /// different ones arrived (duplicates count once) after `drain` more.
    static func loss(
        from a: NetworkNamespace, to b: NetworkNamespace, address: String, datagrams: Int, perSecond: Double, drain: Duration
    ) throws -> (sent: Int, received: Int) {
        let sink = try ProbeSocket(Int32(SOCK_DGRAM.rawValue), in: b)
        try sink.bind(port: 0)
        sink.setBuffers(4 << 20)
        sink.setReceiveTimeout(.milliseconds(50))
        let stop = StopFlag()
        let seen = Mutex([Bool](repeating: false, count: datagrams))
        let receiver = try DedicatedThread.start(name: "netloom-probe") {
            var buffer = [UInt8](repeating: 0, count: 256)
            var from = sockaddr_in6()
            while !stop.isStopped {
                guard let size = buffer.withUnsafeMutableBytes({ sink.receive(into: $0, from: &from) }), size >= 8 else { continue }
                let sequence = Int(buffer.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
                if sequence < datagrams { seen.withLock { $0[sequence] = true } }
            }
        }
        let source = try ProbeSocket(Int32(SOCK_DGRAM.rawValue), in: a)
        try source.bind(port: 0)
        var target = try ProbeSocket.address(address, port: sink.port)
        var payload = [UInt8](repeating: 0, count: 64)
        let start = now()
        for sequence in 0..<datagrams {
            // Paced against the clock, in small bursts.
            let due = start + UInt64(Double(sequence) / perSecond * 1e9)
            let wait = Int64(due) - Int64(now())
            if wait > 200_000 { usleep(UInt32(wait / 1000)) }
            payload.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(sequence), as: UInt64.self) }
            _ = payload.withUnsafeBytes { source.send($0, to: &target) }
        }
        Thread.sleep(forTimeInterval: seconds(drain))
        stop.stop()
        try receiver.value()
        return (datagrams, seen.withLock { $0.filter { $0 }.count })
    }
}
