import Foundation
import NetLoomPluginAPI

/// A queue of messages written to one socket by a thread of its own, so the code that
/// produces them (an engine's thread, an event loop) never blocks on the network. A
/// message is a header and `payload` bytes of filler (the emulation moves sizes, not
/// values), written from one reusable 1 MiB buffer.
final class SocketSender: @unchecked Sendable {
    struct Message {
        var header: [UInt8]
        var payload: Int
        /// Called on the sender's thread just before the message's first byte is written.
        var onStart: (@Sendable () -> Void)?
        /// Called once its last byte was handed to the kernel.
        var onSent: (@Sendable () -> Void)?
    }

    let socket: PluginSocket
    private let condition = NSCondition()
    private var queue: [Message] = []
    private var closed = false
    private var failed: (any Error)?

    /// Why the sender stopped early, if it did.
    var failure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failed
    }

    init(socket: PluginSocket, name: String) {
        self.socket = socket
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Queues a message; false (nothing queued) once the sender has finished or failed,
    /// so a caller never waits for a message that will not be written.
    @discardableResult
    func send(_ message: Message) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if closed { return false }
        queue.append(message)
        condition.signal()
        return true
    }

    /// Stops after the messages already queued.
    func finish() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        let chunk = 1 << 20
        let filler = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        filler.initializeMemory(as: UInt8.self, repeating: 0x4B)
        defer { filler.deallocate() }
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                return
            }
            let message = queue.removeFirst()
            condition.unlock()
            message.onStart?()
            do {
                try message.header.withUnsafeBytes { try socket.sendAll($0) }
                var left = message.payload
                while left > 0 {
                    let count = min(left, chunk)
                    try socket.sendAll(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(filler)[0..<count]))
                    left -= count
                }
                message.onSent?()
            } catch {
                condition.lock()
                failed = error
                closed = true
                queue = []
                condition.unlock()
                return
            }
        }
    }
}

/// Big-endian integers into and out of byte arrays (the plugins' small binary headers).
extension Array where Element == UInt8 {
    mutating func append<T: FixedWidthInteger>(bigEndian value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    func read<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        for index in 0..<MemoryLayout<T>.size { value = value << 8 | T(self[offset + index]) }
        return value
    }
}

extension PluginSocket {
    /// Reads and drops `count` bytes into `scratch`; false if the peer closed first.
    func discard(_ count: Int, scratch: UnsafeMutableRawBufferPointer) throws -> Bool {
        var left = count
        while left > 0 {
            let got = try receive(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<Swift.min(left, scratch.count)]))
            if got == 0 { return false }
            left -= got
        }
        return true
    }

    /// Reads exactly `count` bytes; nil if the peer closed first.
    func receiveBytes(_ count: Int) throws -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let complete = try bytes.withUnsafeMutableBytes { try receiveExactly(into: $0) }
        return complete ? bytes : nil
    }
}
