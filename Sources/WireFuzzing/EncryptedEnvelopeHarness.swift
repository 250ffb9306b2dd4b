import LockCrypto
import LockWire

/// Target 2: the clear envelope of encrypted frames (`docs/wire.md` §2.2), before the MAC, and
/// ``LockCrypto/EncryptedMessageCodec`` around it, with the fixed Set A key (``FuzzFixtures``).
///
/// Input shape: `mode (u8) ‖ body`.
/// - Even mode, **envelope**: `body` is a whole received frame, `nonce(24) ‖ auth id (u32 LE) ‖
///   length (u16 LE) ‖ MAC ‖ ciphertext`. It goes through ``LockWire/EncryptedFrame/decode(_:)-(ArraySlice<UInt8>)``
///   and through `EncryptedMessageCodec.open` with the key known for auth id 2 only. Mutations hardly
///   ever pass the MAC, so this mode covers the envelope and the refusals.
/// - Odd mode, **sealed**: `body` is a plaintext (PDATA) `auth id ‖ command ‖ payload ‖ CRC`, taken as
///   is (CRC and inner auth id unchecked). The harness seals it with `crypto_secretbox` under the fixed
///   key and nonce, in a frame whose clear auth id is 2 (bit 1 clear) or the unknown id 3 (bit 1 set),
///   then opens it; so the CRC, inner-auth-id and payload paths behind the MAC are reached. Bits 2–7
///   pick one bit of the sealed frame to flip for a tamper check.
///
/// Invariants:
/// - `envelope-roundtrip`: a decoded envelope re-encodes to the input bytes;
/// - `envelope-limits`: its ciphertext count is within `minCiphertextBytes...maxCiphertextBytes`;
/// - `envelope-error-code`: a refused envelope fails with `truncated` or `lengthOutOfRange` only;
/// - `open-agrees-with-envelope`: `open` refuses exactly the envelopes `EncryptedFrame.decode` refuses,
///   with the same code, and an unknown auth id or a bad MAC with `notAuthorized`;
/// - `open-agrees-with-plaintext`: a sealed plaintext opens to what ``LockWire/EncryptedPlaintext``'s
///   decoder gives for it (value or error code), after the length and auth-id checks;
/// - `plaintext-roundtrip`: an opened plaintext re-encodes to the sealed bytes;
/// - `codec-seal-matches-secretbox`: `EncryptedMessageCodec.seal` of the opened message equals the
///   frame built from `SecretBox.seal`, byte for byte;
/// - `tampered-frame-refused`: any one flipped bit makes `open` refuse a frame that opened.
public enum EncryptedEnvelopeHarness {
    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        guard let mode = input.first, let key = FuzzFixtures.sharedKey() else { return nil }
        let body = input.dropFirst()
        if mode & 1 == 0 {
            return checkEnvelope(body, key: key)
        }
        let outerAuthID = mode & 2 == 0 ? FuzzFixtures.authID : FuzzFixtures.unknownAuthID
        return checkSealed(plaintext: body, outerAuthID: outerAuthID, flip: Int(mode >> 2), key: key)
    }

    /// Key lookup of the harness: only ``FuzzFixtures/authID`` is known.
    static func lookup(_ key: SharedKey) -> (UInt32) -> SharedKey? {
        { $0 == FuzzFixtures.authID ? key : nil }
    }

    static func checkEnvelope(_ frame: ArraySlice<UInt8>, key: SharedKey) -> InvariantViolation? {
        var envelopeError: WireError.Code?
        var authID: UInt32 = 0
        do {
            let envelope = try EncryptedFrame.decode(frame)
            authID = envelope.authID
            if let v = Invariant.sameBytes("envelope-roundtrip", expected: frame, actual: envelope.encoded()) { return v }
            if let v = Invariant.within("envelope-limits", envelope.ciphertext.count,
                                        EncryptedFrame.minCiphertextBytes...WireLimits.maxCiphertextBytes) { return v }
            if let v = Invariant.holds("envelope-limits", envelope.nonce.count == EncryptedFrame.nonceBytes,
                                       "nonce of \(envelope.nonce.count) bytes") { return v }
        } catch {
            if let v = Invariant.holds("envelope-error-code", error.code == .truncated || error.code == .lengthOutOfRange,
                                       "refused with \(error)") { return v }
            envelopeError = error.code
        }
        do {
            let opened = try EncryptedMessageCodec.open(frame, key: lookup(key))
            // Only a frame that really was sealed under the fixed key gets here (e.g. a Set A seed).
            if let v = Invariant.holds("open-agrees-with-envelope", envelopeError == nil && authID == FuzzFixtures.authID
                                       && opened.authID == authID,
                                       "opened a frame the envelope refused (\(String(describing: envelopeError))) or from auth id \(authID)") {
                return v
            }
        } catch {
            let expected = envelopeError ?? .notAuthorized
            // Behind a verified MAC, the plaintext may still fail its CRC.
            let fine = error.code == expected || (envelopeError == nil && authID == FuzzFixtures.authID && error.code == .badCRC)
            if let v = Invariant.holds("open-agrees-with-envelope", fine,
                                       "open refused with \(error), envelope says \(String(describing: envelopeError)) for \(Invariant.hexPreview(frame))") {
                return v
            }
        }
        return nil
    }

    static func checkSealed(plaintext: ArraySlice<UInt8>, outerAuthID: UInt32, flip: Int, key: SharedKey) -> InvariantViolation? {
        guard let box = try? SecretBox.seal(plaintext, nonce: FuzzFixtures.nonce[...], key: key) else {
            return InvariantViolation("open-agrees-with-plaintext", "SecretBox.seal refused a fixed 24-byte nonce")
        }
        var frame = FuzzFixtures.nonce
        frame.reserveCapacity(EncryptedFrame.headerBytes + box.count)
        for shift in stride(from: 0, to: 32, by: 8) { frame.append(UInt8(truncatingIfNeeded: outerAuthID >> UInt32(shift))) }
        frame.append(UInt8(truncatingIfNeeded: box.count))
        frame.append(UInt8(truncatingIfNeeded: box.count >> 8))
        frame.append(contentsOf: box)

        // What open must answer, from the layers in the order the codec checks them.
        let lengthOK = box.count >= EncryptedFrame.minCiphertextBytes && box.count <= WireLimits.maxCiphertextBytes
        let expected: Result<EncryptedPlaintext, WireError>
        if !lengthOK {
            expected = .failure(WireError(.lengthOutOfRange, "expected"))
        } else if outerAuthID != FuzzFixtures.authID {
            expected = .failure(WireError(.notAuthorized, "expected"))
        } else {
            expected = Result { () throws(WireError) -> EncryptedPlaintext in
                try EncryptedPlaintext.decode(plaintext, expectedAuthID: outerAuthID)
            }
        }
        let actual = Result { () throws(WireError) -> EncryptedPlaintext in
            try EncryptedMessageCodec.open(frame[...], key: lookup(key))
        }
        switch (expected, actual) {
        case (.success(let want), .success(let got)):
            if let v = Invariant.holds("open-agrees-with-plaintext", want == got, "opened \(got), expected \(want)") { return v }
            if let v = Invariant.sameBytes("plaintext-roundtrip", expected: plaintext, actual: got.encoded()) { return v }
            do {
                let sealed = try EncryptedMessageCodec.seal(got, nonce: FuzzFixtures.nonce, key: key)
                if let v = Invariant.sameBytes("codec-seal-matches-secretbox", expected: frame, actual: sealed) { return v }
            } catch {
                return InvariantViolation("codec-seal-matches-secretbox", "seal refused an opened message: \(error)")
            }
        case (.failure(let want), .failure(let got)):
            if let v = Invariant.holds("open-agrees-with-plaintext", want.code == got.code,
                                       "open refused with \(got), expected \(want.code) for \(Invariant.hexPreview(plaintext))") {
                return v
            }
        case (.success(let want), .failure(let got)):
            return InvariantViolation("open-agrees-with-plaintext", "open refused with \(got), expected \(want)")
        case (.failure(let want), .success(let got)):
            return InvariantViolation("open-agrees-with-plaintext", "opened \(got), expected \(want.code)")
        }

        // One flipped bit anywhere in a frame that opens must make it refused. (A frame refused only
        // for its clear auth id can become valid by a flip there: the clear header is not under the
        // MAC, the inner auth id binds it, so the rule holds for frames that opened.)
        guard case .success = actual else { return nil }
        var tampered = frame
        let totalBits = tampered.count * 8
        let bit = (flip * totalBits / 64 + flip % 8) % totalBits
        tampered[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
        if let opened = try? EncryptedMessageCodec.open(tampered[...], key: lookup(key)) {
            return InvariantViolation("tampered-frame-refused", "bit \(bit) flipped, still opened \(opened)")
        }
        return nil
    }
}
