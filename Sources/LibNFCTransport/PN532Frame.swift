/// PN532 host-link frames over UART (NXP PN532 User Manual UM0701-02 §6.2), sans-I/O:
///
/// - normal information frame `00 00 FF LEN LCS TFI DATA… DCS 00`, LEN counting TFI and DATA,
///   LCS = −LEN, DCS = −(TFI + ΣDATA) (mod 256); TFI D4 host → PN532, D5 PN532 → host;
/// - extended frame `00 00 FF FF FF LENM LENL LCS TFI DATA… DCS 00` for more than 254 bytes;
/// - ACK `00 00 FF 00 FF 00`, NACK `00 00 FF FF 00 00`; error frame `00 00 FF 01 FF 7F 81 00`.
///
/// The decoder skips anything before a start code (libnfc's wake-up preamble `55 55 00 …`), drops
/// a frame whose checksums fail and resynchronises on the next start code.
public enum PN532Frame {
    /// TFI D4: a frame from the host to the PN532 (a command).
    public static let hostToPN532: UInt8 = 0xD4
    /// TFI D5: a frame from the PN532 to the host (a response, command code + 1 first).
    public static let pn532ToHost: UInt8 = 0xD5
    /// The ACK frame `00 00 FF 00 FF 00`: a command was received.
    public static let ack: [UInt8] = [0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00]
    /// The NACK frame `00 00 FF FF 00 00`: asks the other side to send its last frame again.
    public static let nack: [UInt8] = [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00]
    /// The syntax error frame (application level error).
    public static let error: [UInt8] = [0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00]

    /// A frame carrying `tfi` followed by `data` (normal, or extended above 254 bytes).
    public static func encode(tfi: UInt8, _ data: [UInt8]) -> [UInt8] {
        let length = data.count + 1
        var out: [UInt8] = [0x00, 0x00, 0xFF]
        if length <= 0xFE {
            out += [UInt8(length), UInt8(truncatingIfNeeded: 0x100 - length)]
        } else {
            let m = UInt8(truncatingIfNeeded: length >> 8), l = UInt8(truncatingIfNeeded: length)
            out += [0xFF, 0xFF, m, l, UInt8(truncatingIfNeeded: 0x100 - Int(m &+ l))]
        }
        out.append(tfi)
        out += data
        let sum = data.reduce(tfi) { $0 &+ $1 }
        out += [0 &- sum, 0x00]
        return out
    }

    /// What the decoder found in the byte stream.
    public enum Item: Hashable, Sendable {
        /// An ACK frame `00 00 FF 00 FF 00`.
        case ack
        /// A NACK frame `00 00 FF FF 00 00`.
        case nack
        /// An information frame: its TFI and data (command code first).
        case frame(tfi: UInt8, data: [UInt8])
    }

    /// Accumulates bytes and cuts them into items.
    public struct Decoder: Sendable {
        private var buffer: [UInt8] = []
        /// Most bytes buffered while waiting for a frame to complete.
        public static let maxBuffered = 1 << 16

        /// A decoder with nothing buffered.
        public init() {}

        /// Buffers `bytes` and returns every item now complete, in order (empty when more bytes are needed).
        /// Bytes before a start code and frames with a wrong LCS or DCS are dropped; the error frame decodes
        /// as `.frame(tfi: 0x7F, data: [])`. Over ``maxBuffered`` bytes left waiting, the buffer is discarded.
        public mutating func append(_ bytes: [UInt8]) -> [Item] {
            buffer += bytes
            var items: [Item] = []
            while let item = next() { items.append(item) }
            if buffer.count > Self.maxBuffered { buffer.removeAll() }
            return items
        }

        /// The next complete item, consuming it; nil when more bytes are needed.
        private mutating func next() -> Item? {
            while true {
                // Find the start code 00 FF.
                guard let start = startCode() else {
                    // Keep a trailing 00 that may begin a start code.
                    buffer = buffer.last == 0x00 ? [0x00] : []
                    return nil
                }
                buffer.removeFirst(start)
                // buffer: 00 FF …
                guard buffer.count >= 4 else { return nil }
                let a = buffer[2], b = buffer[3]
                if a == 0x00 && b == 0xFF { buffer.removeFirst(4); return .ack }
                if a == 0xFF && b == 0x00 { buffer.removeFirst(4); return .nack }
                var header = 4
                var length: Int
                if a == 0xFF && b == 0xFF {
                    guard buffer.count >= 7 else { return nil }
                    let m = buffer[4], l = buffer[5], lcs = buffer[6]
                    guard m &+ l &+ lcs == 0 else { buffer.removeFirst(2); continue }
                    length = Int(m) << 8 | Int(l)
                    header = 7
                } else {
                    guard a &+ b == 0 else { buffer.removeFirst(2); continue }
                    length = Int(a)
                }
                guard length >= 1 else { buffer.removeFirst(2); continue }
                guard buffer.count >= header + length + 1 else { return nil }
                let body = Array(buffer[header..<(header + length)])
                let dcs = buffer[header + length]
                guard body.reduce(dcs, { $0 &+ $1 }) == 0 else { buffer.removeFirst(2); continue }
                buffer.removeFirst(header + length + 1)
                if buffer.first == 0x00 { buffer.removeFirst() }  // postamble
                return .frame(tfi: body[0], data: Array(body.dropFirst()))
            }
        }

        private func startCode() -> Int? {
            guard buffer.count >= 2 else { return nil }
            for i in 0..<(buffer.count - 1) where buffer[i] == 0x00 && buffer[i + 1] == 0xFF { return i }
            return nil
        }
    }
}
