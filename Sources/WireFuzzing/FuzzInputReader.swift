/// Reads a fuzzer input front to back as a stream of operation bytes and arguments. Reading past the
/// end yields zeros (or empty byte strings), so every input decodes to some sequence of operations and
/// a shorter input is a prefix of a longer one's behaviour.
public struct FuzzInputReader: Sendable {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    /// A reader over `bytes` from its first element.
    public init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { position >= bytes.endIndex }

    /// Bytes not yet read.
    public var remaining: Int { max(0, bytes.endIndex - position) }

    /// The next byte, or 0 past the end.
    public mutating func byte() -> UInt8 {
        guard position < bytes.endIndex else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next two bytes as a little-endian u16.
    public mutating func u16() -> UInt16 {
        let low = UInt16(byte())
        return low | UInt16(byte()) << 8
    }

    /// The next four bytes as a little-endian u32.
    public mutating func u32() -> UInt32 {
        let low = UInt32(u16())
        return low | UInt32(u16()) << 16
    }

    /// Up to `count` next bytes (fewer at the end of the input).
    public mutating func bytes(upTo count: Int) -> [UInt8] {
        let take = min(max(0, count), remaining)
        defer { position += take }
        return Array(bytes[position..<position + take])
    }
}

/// Builds inputs for ``FuzzInputReader``-driven harnesses (seeds and tests).
public struct FuzzInputWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty input.
    public init() {}

    /// Appends one byte.
    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Appends a little-endian u16.
    public mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    /// Appends a little-endian u32.
    public mutating func u32(_ value: UInt32) {
        u16(UInt16(truncatingIfNeeded: value))
        u16(UInt16(truncatingIfNeeded: value >> 16))
    }

    /// Appends raw bytes.
    public mutating func append(_ values: some Sequence<UInt8>) { bytes.append(contentsOf: values) }
}
