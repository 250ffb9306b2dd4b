import LockWire

/// Target 3: the decrypted command payloads, every command's codec (`docs/wire.md` §4), as a lock
/// sees them after decryption.
///
/// Input shape (``headerBytes`` = 3): `flags (u8) ‖ command id (u16 LE) ‖ payload`. Bit 0 of flags
/// selects the context: 0 ``LockWire/WireContext/smartLock`` (u16 PIN, standard pairing), 1
/// ``LockWire/WireContext/ultra`` (u32 PIN, Ultra pairing layouts); the other bits are ignored.
///
/// Invariants of ``checkMessage(command:payload:context:codecs:)``:
/// - `message-command`: a decoded message travels under the command it was decoded for;
/// - `payload-roundtrip`: what decodes re-encodes to the same bytes;
/// - `payload-redecode`: decode(encode(m)) succeeds and equals m (skipped for values that are not
///   equal to themselves, i.e. hold a NaN float, whose bytes are still checked);
/// - `payload-limit`: a decodable payload fits a frame (≤ ``LockWire/WireLimits/maxPayloadBytes``);
/// - `payload-error-code`: an undocumented command fails with `unknownCommand`, a documented one never
///   does, and payload errors are `truncated`, `trailingBytes`, `lengthOutOfRange` or `badParameter`;
/// - `plain-frame-wrap`: a decoded payload framed as a ``LockWire/PlainFrame`` parses back unchanged.
public enum CommandPayloadHarness {
    /// Flags byte + command id.
    public static let headerBytes = 3

    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>, codecs: WireCodecs = .live) -> InvariantViolation? {
        guard input.count >= headerBytes else { return nil }
        let start = input.startIndex
        let context: WireContext = input[start] & 1 == 0 ? .smartLock : .ultra
        let command = Command(rawValue: UInt16(input[start + 1]) | UInt16(input[start + 2]) << 8)
        return checkMessage(command: command, payload: input.dropFirst(headerBytes), context: context, codecs: codecs)
    }

    /// Decodes `payload` as `command` in `context` and checks the invariants above.
    public static func checkMessage(
        command: Command, payload: ArraySlice<UInt8>, context: WireContext, codecs: WireCodecs = .live
    ) -> InvariantViolation? {
        let message: NukiMessage
        do {
            message = try codecs.decodeMessage(command, payload, context)
        } catch {
            return checkError(error, command: command, payload: payload)
        }
        if let v = Invariant.holds("message-command", message.command == command,
                                   "decoded \(command) as a \(message.command) message") {
            return v
        }
        let encoded = codecs.encodeMessage(message)
        if let v = Invariant.sameBytes("payload-roundtrip", expected: payload, actual: encoded) {
            return InvariantViolation(v.name, "\(command) \(context.ultraPairing ? "ultra" : "smartLock"): \(v.detail)")
        }
        if let v = Invariant.within("payload-limit", payload.count, 0...WireLimits.maxPayloadBytes) {
            return InvariantViolation(v.name, "\(command): decodable payload of \(v.detail)")
        }
        do {
            let again = try codecs.decodeMessage(command, encoded[...], context)
            // A NaN float (Config latitude…) makes a value unequal to itself; its bytes were checked above.
            if message == message, let v = Invariant.holds("payload-redecode", again == message,
                                                           "\(command): \(again) differs from \(message)") {
                return v
            }
        } catch {
            return InvariantViolation("payload-redecode", "\(command): re-encoded payload refused with \(error)")
        }
        let framed = PlainFrame(command: command, payload: encoded)
        do {
            let parsed = try codecs.decodePlainFrame(codecs.encodePlainFrame(framed)[...])
            if let v = Invariant.holds("plain-frame-wrap", parsed == framed, "\(command): framed payload parsed as \(parsed)") {
                return v
            }
        } catch {
            return InvariantViolation("plain-frame-wrap", "\(command): framed payload refused with \(error)")
        }
        return nil
    }

    /// The error a payload may fail with, given whether its command is documented.
    static func checkError(_ error: WireError, command: Command, payload: ArraySlice<UInt8>) -> InvariantViolation? {
        let documented = command.isDocumented
        let allowed: Bool
        switch error.code {
        case .unknownCommand: allowed = !documented
        case .truncated, .trailingBytes, .lengthOutOfRange, .badParameter: allowed = documented
        default: allowed = false
        }
        return Invariant.holds("payload-error-code", allowed,
                               "\(command) (documented: \(documented)) refused with \(error) for \(Invariant.hexPreview(payload))")
    }
}
