import LockWire

/// Target 1: the plain frame parser of the pairing GDIO (`docs/wire.md` §2.1) and, behind it, the
/// payload codec of the frame's command in both ``LockWire/WireContext`` variants.
///
/// Input shape: the whole frame as received, `command (u16 LE) ‖ payload ‖ CRC (u16 LE)`.
/// When the CRC is wrong the harness also checks the same frame with its CRC corrected, so mutations
/// reach the payload codecs without having to solve the CRC.
///
/// Invariants (names as in the crash message):
/// - `plain-frame-error-code`: a refused frame fails with `truncated` (< 4 bytes), `lengthOutOfRange`
///   (payload > ``LockWire/WireLimits/maxPayloadBytes``) or `badCRC`, and with the one its size implies;
/// - `plain-frame-roundtrip`: a decoded frame re-encodes to the input bytes;
/// - `plain-frame-payload-limit`: a decoded payload is within ``LockWire/WireLimits/maxPayloadBytes``;
/// - `plain-frame-crc-fix-accepts`: a frame refused only for its CRC decodes once the CRC is right;
/// - the payload invariants of ``CommandPayloadHarness/checkMessage(command:payload:context:codecs:)``.
public enum PlainFrameHarness {
    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>, codecs: WireCodecs = .live) -> InvariantViolation? {
        let frame: PlainFrame
        do {
            frame = try codecs.decodePlainFrame(input)
        } catch {
            let expected: WireError.Code
            if input.count < PlainFrame.overheadBytes {
                expected = .truncated
            } else if input.count - PlainFrame.overheadBytes > WireLimits.maxPayloadBytes {
                expected = .lengthOutOfRange
            } else {
                expected = .badCRC
            }
            if let v = Invariant.holds("plain-frame-error-code", error.code == expected,
                                       "refused with \(error.code) (\(error.reason)), expected \(expected) for \(Invariant.hexPreview(input))") {
                return v
            }
            guard error.code == .badCRC else { return nil }
            // Same frame with the right CRC: it must decode, then go through the same checks.
            let body = input.dropLast(2)
            let crc = CRC16.checksum(body)
            var fixed = Array(body)
            fixed.append(UInt8(truncatingIfNeeded: crc))
            fixed.append(UInt8(truncatingIfNeeded: crc >> 8))
            do {
                let repaired = try codecs.decodePlainFrame(fixed[...])
                return checkDecoded(repaired, input: fixed[...], codecs: codecs)
            } catch {
                return InvariantViolation("plain-frame-crc-fix-accepts",
                                          "refused with \(error.code) after fixing the CRC: \(Invariant.hexPreview(fixed))")
            }
        }
        return checkDecoded(frame, input: input, codecs: codecs)
    }

    private static func checkDecoded(_ frame: PlainFrame, input: ArraySlice<UInt8>, codecs: WireCodecs) -> InvariantViolation? {
        if let v = Invariant.sameBytes("plain-frame-roundtrip", expected: input, actual: codecs.encodePlainFrame(frame)) {
            return v
        }
        if let v = Invariant.within("plain-frame-payload-limit", frame.payload.count, 0...WireLimits.maxPayloadBytes) {
            return v
        }
        for context in [WireContext.smartLock, .ultra] {
            if let v = CommandPayloadHarness.checkMessage(
                command: frame.command, payload: frame.payload[...], context: context, codecs: codecs) {
                return v
            }
        }
        return nil
    }
}
