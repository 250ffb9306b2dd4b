import LockCrypto
import LockNFC

/// The reference model of the fobNFC target: what the fob's card application must answer to each
/// command APDU, restated from README §"NFC fob extension" (the card application table and its
/// status words) and written apart from ``LockNFC/NFCCardApplication``: it keeps its own
/// selection and counter and never reads the card's. The APDU header is read with
/// ``LockNFC/CommandAPDU`` (the codec, checked separately by `nfc-apdu-roundtrip`); the
/// authenticator is computed with ``LockCrypto/HMACSHA256`` over the documented layout, not with
/// ``LockNFC/NFCCardAssertion``.
///
/// Answers, checks in this order (each `rule`: the `model-nfc-<rule>` invariant a differing answer
/// breaks):
/// - not a command APDU: `67 00` (`malformed`);
/// - CLA 00 INS A4 (SELECT): P1-P2 other than 04 00: `6A 86` (`select-p1p2`); another AID: `6A 82`
///   and deselected (`select-other-aid`); the Latchkey AID: version 1 ‖ credential id u32 LE ‖
///   `90 00`, selected (`select`);
/// - CLA 80 INS A1 (AUTHENTICATE): not selected `69 82` (`authenticate-unselected`); P1-P2 not 00 00
///   `6A 86` (`authenticate-p1p2`); data not 32 bytes `67 00` (`authenticate-length`); counter at
///   2³²−1 `69 83` for ever (`counter-exhausted`); else the counter rises by one and the answer is
///   credential id u32 LE ‖ counter u32 LE ‖ HMAC-SHA256(card key, challenge ‖ credential id u32 LE
///   ‖ counter u32 LE) ‖ `90 00` (`authenticate`);
/// - another INS of class 00 or 80: `6D 00` (`instruction`); another class: `6E 00` (`class`).
public struct NFCCardModel: Sendable {
    public let credentialID: UInt32
    let key: NFCCardKey
    /// The last counter the card used, as the model counts.
    public private(set) var counter: UInt32
    /// Whether the Latchkey AID is selected, as the model follows it.
    public private(set) var selected = false

    public init(credentialID: UInt32, key: NFCCardKey, counter: UInt32) {
        self.credentialID = credentialID
        self.key = key
        self.counter = counter
    }

    /// The whole response APDU (data ‖ SW1 SW2) the card must give to `command`, and the rule that
    /// decided it; applies the answer's effect (selection, counter) to the model.
    public mutating func respond(to command: [UInt8]) -> (answer: [UInt8], rule: String) {
        guard let apdu = try? CommandAPDU(decoding: command) else { return ([0x67, 0x00], "malformed") }
        switch (apdu.cla, apdu.ins) {
        case (0x00, 0xA4):
            guard apdu.p1 == 0x04, apdu.p2 == 0x00 else { return ([0x6A, 0x86], "select-p1p2") }
            guard apdu.data == LatchkeyNFC.aid else {
                selected = false
                return ([0x6A, 0x82], "select-other-aid")
            }
            selected = true
            return ([0x01] + Self.le(credentialID) + [0x90, 0x00], "select")
        case (0x80, 0xA1):
            guard selected else { return ([0x69, 0x82], "authenticate-unselected") }
            guard apdu.p1 == 0, apdu.p2 == 0 else { return ([0x6A, 0x86], "authenticate-p1p2") }
            guard apdu.data.count == 32 else { return ([0x67, 0x00], "authenticate-length") }
            guard counter != UInt32.max else { return ([0x69, 0x83], "counter-exhausted") }
            counter += 1
            let mac = HMACSHA256.authenticate(key: key.secret, parts: [apdu.data, Self.le(credentialID), Self.le(counter)])
            return (Self.le(credentialID) + Self.le(counter) + mac.bytes + [0x90, 0x00], "authenticate")
        case (0x00, _), (0x80, _):
            return ([0x6D, 0x00], "instruction")
        default:
            return ([0x6E, 0x00], "class")
        }
    }

    static func le(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
    }
}
