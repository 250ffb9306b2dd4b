/// A fixed-width, NUL-padded UTF-8 name: 32 bytes for device, user and log names, 20 bytes for keypad
/// code names and the Lock Action name suffix.
///
/// The raw bytes are kept as received, so junk after the first NUL (seen in Keypad 2.0 log entries)
/// round-trips. ``text`` is the UTF-8 text before the first NUL, with invalid sequences replaced.
/// Building a name from a `String` truncates it at a Unicode scalar boundary so it never overflows.
///
/// Source: Nuki BLE API 2.1 §"Data types", `docs/wire.md` §2 and §13.
public struct FixedName: Hashable, Sendable, CustomStringConvertible {
    /// Exactly ``width`` bytes.
    public let bytes: [UInt8]

    /// Width of user, device and log names.
    public static let nameWidth = 32
    /// Width of keypad code names and the Lock Action name suffix.
    public static let shortNameWidth = 20

    /// Encodes `text` as UTF-8, truncated to at most `width` bytes at a scalar boundary, NUL-padded.
    public init(_ text: String, width: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(width)
        for scalar in text.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if out.count + encoded.count > width { break }
            out.append(contentsOf: encoded)
        }
        out.append(contentsOf: repeatElement(0, count: width - out.count))
        bytes = out
    }

    /// Wraps bytes read from the wire.
    public init(rawBytes: [UInt8]) {
        bytes = rawBytes
    }

    public var width: Int { bytes.count }

    /// The bytes before the first NUL.
    public var textBytes: ArraySlice<UInt8> {
        bytes.prefix { $0 != 0 }
    }

    /// The text before the first NUL; invalid UTF-8 is replaced with U+FFFD.
    public var text: String { String(decoding: textBytes, as: UTF8.self) }

    /// True when the text is valid UTF-8 and every byte after the first NUL is NUL, which is what an
    /// encoder of this package produces and what the lock core stores (security case P-08).
    public var isWellFormed: Bool {
        let head = textBytes
        guard bytes[head.endIndex...].allSatisfy({ $0 == 0 }) else { return false }
        var iterator = head.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    public var description: String { text }
}

extension WireReader {
    /// Reads a ``FixedName`` of `width` bytes.
    public mutating func readName(width: Int, _ field: StaticString) throws(WireError) -> FixedName {
        FixedName(rawBytes: try readArray(width, field))
    }
}

extension WireWriter {
    public mutating func write(_ value: FixedName) { write(contentsOf: value.bytes) }
}
