/// Constants of Latchkey's NFC credential protocol, an extension of the Nuki API (README §"NFC
/// fob extension"): the fob's card application answers a challenge from the lock with
/// HMAC-SHA256(card key, challenge ‖ credential id ‖ counter) and a monotonic counter.
///
/// Values are chosen so that they cannot collide with documented ones: the AID is a proprietary
/// one (first nibble F, ISO/IEC 7816-5 §5.2, no registered RID), the AUTHENTICATE instruction uses
/// the proprietary class 0x80, and the Keypad Action source (``LockWire/KeypadActionSource/nfc``,
/// 0x80) is above the documented 0, 1, 2.
public enum LatchkeyNFC {
    /// The card application's AID: F0 followed by "LATCHKEY" in ASCII.
    public static let aid: [UInt8] = [0xF0, 0x4C, 0x41, 0x54, 0x43, 0x48, 0x4B, 0x45, 0x59]
    /// The version byte the SELECT response starts with.
    public static let version: UInt8 = 1
    /// Class byte of the proprietary AUTHENTICATE command.
    public static let proprietaryClass: UInt8 = 0x80
    /// Instruction byte of AUTHENTICATE.
    public static let authenticateInstruction: UInt8 = 0xA1
    /// SELECT by DF name (ISO/IEC 7816-4 §11.1.1): CLA 00, INS A4, P1 04, P2 00.
    public static let selectInstruction: UInt8 = 0xA4
    /// The label of the card key derivation: card key = HMAC-SHA256(shared key, label ‖ credential id u32 LE).
    public static let cardKeyLabel: [UInt8] = Array("Latchkey NFC card key v1".utf8)
    /// Bytes of the challenge sent in AUTHENTICATE (the lock's nonce nK).
    public static let challengeByteCount = 32
    /// Bytes of the SELECT response data: version u8, credential id u32 LE.
    public static let selectResponseByteCount = 5
    /// Bytes of the AUTHENTICATE response data: credential id u32 LE, counter u32 LE, HMAC (32).
    public static let assertionByteCount = 40

    /// SELECT of the Latchkey application, Le 00.
    public static var selectCommand: CommandAPDU {
        CommandAPDU(cla: 0x00, ins: selectInstruction, p1: 0x04, p2: 0x00, data: aid, le: 256)
    }

    /// AUTHENTICATE with `challenge`, Le 40.
    public static func authenticateCommand(challenge: [UInt8]) -> CommandAPDU {
        CommandAPDU(cla: proprietaryClass, ins: authenticateInstruction, p1: 0x00, p2: 0x00, data: challenge, le: assertionByteCount)
    }
}
