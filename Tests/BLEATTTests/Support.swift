import BLEATT

/// Runs `body` and returns the typed error it throws, or `nil`.
func attError<T>(_ body: () throws(ATTError) -> T) -> ATTError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Parses "0A 03 00" into bytes; test vectors are written the way the spec tables lay them out.
/// Returns an empty array on junk, which no vector is.
func hex(_ text: String) -> [UInt8] {
    let digits = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined()
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) ?? digits.endIndex
        guard let byte = UInt8(digits[index..<next], radix: 16) else { return [] }
        bytes.append(byte)
        index = next
    }
    return bytes
}

/// The Error Response a server sends, as octets (Vol 3, Part F, §3.4.1.1).
func errorResponse(_ opcode: UInt8, _ handle: UInt16, _ code: ATTErrorCode) -> [UInt8] {
    [0x01, opcode, UInt8(truncatingIfNeeded: handle), UInt8(truncatingIfNeeded: handle >> 8), code.rawValue]
}

/// The sends among `events`.
func sends(_ events: [ATTBearer.Event]) -> [[UInt8]] {
    events.compactMap { event in
        if case .send(let bytes) = event { return bytes }
        return nil
    }
}

/// True when every event is a protocol violation (input dropped, nothing sent).
func onlyViolations(_ events: [ATTBearer.Event]) -> Bool {
    !events.isEmpty && events.allSatisfy { event in
        if case .protocolViolation = event { return true }
        return false
    }
}

/// The Nuki Keyturner service UUID, a real 128-bit UUID used by the emulated lock.
let keyturnerService = ATTUUID(high: 0xA92E_E200_5501_11E4, low: 0x916C_0800_200C_9A66)
/// Its little-endian wire form: the canonical text's octets reversed.
let keyturnerServiceWire = hex("66 9A 0C 20 00 08 6C 91 E4 11 01 55 00 E2 2E A9")
