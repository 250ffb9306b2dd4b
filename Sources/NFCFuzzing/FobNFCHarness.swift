import LockCrypto
import LockNFC
import LockWire
import WireFuzzing

/// Target 10: the fob's NFC card application and the keypad's reader side (``LockNFC``), fed raw
/// APDUs and raw responses.
///
/// Input shape: a first byte `flags` (bit 0: the card's counter starts at 2³²−3, so exhaustion is
/// reachable), then operations `op`:
/// - `op & 0x03 == 0`: a raw command APDU to the card: length `n` (next byte, mod 64), `n` bytes;
/// - `op & 0x03 == 1`: SELECT, of the Latchkey AID when bit 2 of `op` is clear, else of the AID with
///   its last byte changed;
/// - `op & 0x03 == 2`: AUTHENTICATE with the next 32 bytes as challenge (zero-padded);
/// - `op & 0x03 == 3`: raw bytes (length byte mod 64) given to the reader as a SELECT response and as
///   an AUTHENTICATE response, and parsed as a command APDU.
///
/// Invariants (README §"NFC fob extension", ISO/IEC 7816-4):
/// - `model-nfc-<rule>`: every answer of the card is byte for byte the one the reference model
///   (``NFCCardModel``, its own selection and counter, never the card's) predicts: exact status word,
///   exact SELECT data, exact AUTHENTICATE data with the authenticator over the challenge sent. Positive
///   rules (the Latchkey AID selects, a selected card authenticates with the next counter) and
///   negative ones (another AID deselects, AUTHENTICATE unselected is 69 82, exhausted is 69 83);
/// - `nfc-card-answer-shape`: every answer has a status word; a 90 00 answer carries exactly the
///   SELECT (version 1, credential id) or AUTHENTICATE (40 bytes) layout of the command answered;
/// - `nfc-card-counter`: the counter never goes down, rises by exactly one with each 90 00
///   AUTHENTICATE and stays put otherwise (never wraps);
/// - `nfc-card-auth-needs-select`: AUTHENTICATE succeeds only while the application is selected;
/// - `nfc-card-mac`: a successful AUTHENTICATE's authenticator verifies under the card key over the
///   challenge sent, with the card's new counter;
/// - `nfc-apdu-roundtrip`: a command APDU that decodes re-encodes to the same bytes; a reader-accepted
///   assertion re-encodes to the bytes it came from.
public enum FobNFCHarness {
    /// Operations read from one input at most.
    public static let maxOperations = 64
    static let credentialID: UInt32 = 0x0F0B
    /// The card key, derived from the fixture's shared key (``FuzzFixtures/sharedKeyBytes``).
    static let cardKey = FuzzFixtures.sharedKey().map { NFCCardKey.derive(from: $0, credentialID: credentialID) }

    /// Checks one input; nil when every invariant holds. Never traps.
    public static func check(_ input: ArraySlice<UInt8>) -> InvariantViolation? {
        guard let key = cardKey else { return nil }
        var reader = FuzzInputReader(input)
        let flags = reader.byte()
        let start: UInt32 = flags & 1 == 1 ? UInt32.max - 2 : 0
        var card = NFCCardApplication(credentialID: credentialID, key: key, counter: start)
        var model = NFCCardModel(credentialID: credentialID, key: key, counter: start)
        var operations = 0
        while !reader.isAtEnd, operations < maxOperations {
            operations += 1
            let op = reader.byte()
            let command: [UInt8]
            switch op & 0x03 {
            case 0:
                command = reader.bytes(upTo: Int(reader.byte() % 64))
            case 1:
                var aid = LatchkeyNFC.aid
                if op & 0x04 != 0 { aid[aid.count - 1] ^= 0xFF }
                command = CommandAPDU(cla: 0x00, ins: 0xA4, p1: 0x04, p2: 0x00, data: aid, le: 256).encoded
            case 2:
                let challenge = reader.bytes(upTo: 32)
                command = LatchkeyNFC.authenticateCommand(challenge: challenge + [UInt8](repeating: 0, count: 32 - challenge.count)).encoded
            default:
                if let v = checkReader(reader.bytes(upTo: Int(reader.byte() % 64))) { return v }
                continue
            }
            if let v = exchange(command, with: &card, model: &model, key: key) { return v }
        }
        return nil
    }

    /// One APDU to the card and the invariants on its answer.
    static func exchange(_ command: [UInt8], with card: inout NFCCardApplication, model: inout NFCCardModel, key: NFCCardKey) -> InvariantViolation? {
        let wasSelected = model.selected
        let before = model.counter
        let (expected, rule) = model.respond(to: command)
        let bytes: [UInt8] = card.respond(to: command)
        if let v = Invariant.sameBytes("model-nfc-\(rule)", expected: expected, actual: bytes) { return v }
        guard let answer = try? ResponseAPDU(decoding: bytes) else {
            return InvariantViolation("nfc-card-answer-shape", "answer \(Invariant.hexPreview(bytes)) has no status word")
        }
        let decoded = try? CommandAPDU(decoding: command)
        if let decoded, let v = Invariant.sameBytes("nfc-apdu-roundtrip", expected: command, actual: decoded.encoded) { return v }
        let isAuthenticate = decoded.map { $0.cla == LatchkeyNFC.proprietaryClass && $0.ins == LatchkeyNFC.authenticateInstruction } ?? false
        let isSelect = decoded.map { $0.cla == 0x00 && $0.ins == LatchkeyNFC.selectInstruction } ?? false
        guard card.counter >= before else {
            return InvariantViolation("nfc-card-counter", "counter went down from \(before) to \(card.counter)")
        }
        guard answer.status == .success else {
            return card.counter == before ? nil : InvariantViolation("nfc-card-counter", "counter moved on SW \(answer.status)")
        }
        if isSelect {
            guard answer.data == [LatchkeyNFC.version, 0x0B, 0x0F, 0, 0], card.counter == before else {
                return InvariantViolation("nfc-card-answer-shape", "SELECT answered \(Invariant.hexPreview(answer.data))")
            }
            return nil
        }
        guard isAuthenticate, let decoded else {
            return InvariantViolation("nfc-card-answer-shape", "90 00 to a command that is neither SELECT nor AUTHENTICATE")
        }
        guard wasSelected else { return InvariantViolation("nfc-card-auth-needs-select", "AUTHENTICATE answered 90 00 while not selected") }
        guard before < UInt32.max, card.counter == before + 1 else {
            return InvariantViolation("nfc-card-counter", "counter \(before) → \(card.counter) on a successful AUTHENTICATE")
        }
        guard let assertion = try? NFCCardAssertion(decoding: answer.data), assertion.credentialID == credentialID, assertion.counter == card.counter else {
            return InvariantViolation("nfc-card-answer-shape", "AUTHENTICATE answered \(Invariant.hexPreview(answer.data))")
        }
        guard assertion.verifies(key: key, challenge: decoded.data) else {
            return InvariantViolation("nfc-card-mac", "authenticator does not verify over the challenge sent")
        }
        return nil
    }

    /// Raw bytes as the card's answers, and as a command APDU.
    static func checkReader(_ bytes: [UInt8]) -> InvariantViolation? {
        if let id = try? NFCCardReader.readSelect(bytes) {
            guard bytes.count == 7, bytes[0] == LatchkeyNFC.version, Array(bytes.suffix(2)) == [0x90, 0x00],
                  id == UInt32(bytes[1]) | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 24 else {
                return InvariantViolation("nfc-apdu-roundtrip", "reader accepted SELECT answer \(Invariant.hexPreview(bytes))")
            }
        }
        if bytes.count >= 6 {
            let id = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
            if let assertion = try? NFCCardReader.readAuthenticate(bytes, credentialID: id),
               let v = Invariant.sameBytes("nfc-apdu-roundtrip", expected: bytes.dropLast(2), actual: assertion.encoded) {
                return v
            }
        }
        if let decoded = try? CommandAPDU(decoding: bytes) {
            return Invariant.sameBytes("nfc-apdu-roundtrip", expected: bytes, actual: decoded.encoded)
        }
        return nil
    }

    /// Seeds: select then authenticate (twice); authenticate unselected; another AID; the exhausted
    /// counter; raw APDUs of every case; reader-side answers, good and short.
    public static func seeds() -> [[UInt8]] {
        guard let key = cardKey else { return [] }
        let challenge = [UInt8](0..<32)
        let select: [UInt8] = [0x01]
        let other: [UInt8] = [0x05]
        let auth: [UInt8] = [0x02] + challenge
        var goodAnswer = NFCCardApplication(credentialID: credentialID, key: key)
        _ = goodAnswer.respond(to: LatchkeyNFC.selectCommand.encoded) as [UInt8]
        let assertion: [UInt8] = goodAnswer.respond(to: LatchkeyNFC.authenticateCommand(challenge: challenge).encoded)
        let selectAnswer: [UInt8] = [0x01, 0x0B, 0x0F, 0x00, 0x00, 0x90, 0x00]
        return [
            [0x00] + select + auth + auth,
            [0x00] + auth + select + auth,
            [0x00] + select + other + auth,
            [0x01] + select + auth + auth + auth + auth,
            [0x00, 0x00, 4, 0x00, 0xA4, 0x04, 0x00, 0x00, 5, 0x80, 0xA1, 0x00, 0x00, 0x00, 0x00, 7, 0x00, 0xA4, 0x04, 0x00, 0x02, 0x3F, 0x00],
            [0x00, 0x03, UInt8(assertion.count)] + assertion + [0x03, UInt8(selectAnswer.count)] + selectAnswer + [0x03, 3, 0x90, 0x00, 0x01],
        ]
    }
}
