// Plugins/Training / Collectives: element types, the reduction (real arithmetic), the test pattern
// and the check of a result.

/// The element type of a collective's buffers (nccl-tests' `-d`).
public enum DataType: String, Sendable, CaseIterable {
    case float32 = "float"
    case bfloat16 = "bfloat16"

    public init?(parameter: String) {
        switch parameter {
        case "float", "float32", "fp32": self = .float32
        case "bf16", "bfloat16": self = .bfloat16
        default: return nil
        }
    }

    public var size: Int { self == .float32 ? 4 : 2 }

    /// dst[i] += src[i] for `count` elements (bf16: in float32, rounded to nearest even).
    public func reduce(into dst: UnsafeMutableRawPointer, from src: UnsafeRawPointer, count: Int) {
        switch self {
        case .float32:
            let d = dst.assumingMemoryBound(to: Float.self), s = src.assumingMemoryBound(to: Float.self)
            for i in 0..<count { d[i] += s[i] }
        case .bfloat16:
            let d = dst.assumingMemoryBound(to: UInt16.self), s = src.assumingMemoryBound(to: UInt16.self)
            for i in 0..<count { d[i] = BFloat16.bits(BFloat16.float(d[i]) + BFloat16.float(s[i])) }
        }
    }

    /// Writes `value` as element `index` of `buffer`.
    public func store(_ value: Float, at index: Int, in buffer: UnsafeMutableRawPointer) {
        switch self {
        case .float32: buffer.assumingMemoryBound(to: Float.self)[index] = value
        case .bfloat16: buffer.assumingMemoryBound(to: UInt16.self)[index] = BFloat16.bits(value)
        }
    }

    public func load(at index: Int, in buffer: UnsafeRawPointer) -> Float {
        switch self {
        case .float32: buffer.assumingMemoryBound(to: Float.self)[index]
        case .bfloat16: BFloat16.float(buffer.assumingMemoryBound(to: UInt16.self)[index])
        }
    }
}

/// bfloat16 as the top half of a float32.
enum BFloat16 {
    static func float(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Round to nearest, ties to even (NaN stays NaN).
    static func bits(_ value: Float) -> UInt16 {
        let raw = value.bitPattern
        if value.isNaN { return UInt16(raw >> 16) | 0x40 }
        let rounding = UInt32(0x7FFF) + ((raw >> 16) & 1)
        return UInt16((raw &+ rounding) >> 16)
    }
}

/// The values ranks start with: small integers, exact in float32 and bfloat16 (whose integers are
/// exact up to 256). For a reduction the values shrink as ranks grow so that every partial sum stays
/// within 256, whatever order an algorithm adds them in; without one they differ between any two ranks
/// below 251 apart (251 is prime), so a block from the wrong rank or place changes the result.
public enum TestPattern {
    /// Rank `rank`'s initial element `index` (of its whole input buffer) for a collective of `ranks`.
    public static func value(rank: Int, index: Int, ranks: Int, reduces: Bool) -> Float {
        guard reduces else { return Float(((index % 251) &+ 7 &* rank) % 251) }
        let top = max(2, min(8, 256 / max(ranks, 1)))
        return Float(((index % 251) &+ 3 &* rank) % top)
    }
}

