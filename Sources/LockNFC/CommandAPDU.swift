import LockWire

/// A command APDU in ISO/IEC 7816-4 short encoding (§5.1): CLA INS P1 P2 [Lc data] [Le].
///
/// Cases 1 to 4 short only: Lc 1–255 bytes of data, Le one byte (00 meaning 256). Extended
/// lengths (a 00 byte followed by two length bytes where Lc would be) are refused: no Latchkey APDU
/// needs them.
public struct CommandAPDU: Hashable, Sendable {
    /// Class byte CLA, e.g. 00 (interindustry) or 80 (proprietary).
    public var cla: UInt8
    /// Instruction byte INS, e.g. A4 (SELECT) or A1 (AUTHENTICATE).
    public var ins: UInt8
    /// Parameter byte P1.
    public var p1: UInt8
    /// Parameter byte P2.
    public var p2: UInt8
    /// Command data field, 0–255 bytes; its count is encoded as Lc (absent when empty).
    public var data: [UInt8]
    /// Expected response length: nil for none (cases 1 and 3), 1–256 otherwise.
    public var le: Int?

    /// Most data bytes in a short APDU.
    public static let maxDataCount = 255

    /// An APDU from its fields, not validated: keep `data` within ``maxDataCount`` bytes and `le` nil
    /// or 1–256, or ``encoded`` clamps them.
    public init(cla: UInt8, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], le: Int? = nil) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.le = le
    }

    /// Parses a command APDU; throws ``NFCError/Code/malformedAPDU`` when the length bytes disagree
    /// with the bytes received.
    public init(decoding bytes: [UInt8]) throws(NFCError) {
        guard bytes.count >= 4 else { throw NFCError(.malformedAPDU, "command APDU of \(bytes.count) bytes (header needs 4)") }
        cla = bytes[0]
        ins = bytes[1]
        p1 = bytes[2]
        p2 = bytes[3]
        let body = bytes.dropFirst(4)
        switch body.count {
        case 0:
            data = []
            le = nil
        case 1:
            data = []
            le = Self.decodeLe(body[body.startIndex])
        default:
            let lc = Int(body[body.startIndex])
            guard lc != 0 else { throw NFCError(.malformedAPDU, "extended-length APDUs are not supported") }
            let rest = body.dropFirst()
            if rest.count == lc {
                data = Array(rest)
                le = nil
            } else if rest.count == lc + 1, let last = rest.last {
                data = Array(rest.dropLast())
                le = Self.decodeLe(last)
            } else {
                throw NFCError(.malformedAPDU, "Lc \(lc) disagrees with \(rest.count) bytes after it")
            }
        }
    }

    private static func decodeLe(_ byte: UInt8) -> Int { byte == 0 ? 256 : Int(byte) }

    /// The encoded bytes; data beyond 255 bytes or an Le outside 1–256 is clamped (construct valid
    /// APDUs: the named constructors always do).
    public var encoded: [UInt8] {
        var out = [cla, ins, p1, p2]
        let body = data.prefix(Self.maxDataCount)
        if !body.isEmpty {
            out.append(UInt8(body.count))
            out += body
        }
        if let le { out.append(UInt8(truncatingIfNeeded: min(max(le, 1), 256))) }
        return out
    }
}
