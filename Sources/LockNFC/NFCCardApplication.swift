import LockWire

/// The fob's NFC card application (card side), sans-I/O: one command APDU in, one response APDU
/// out. ISO/IEC 7816-4 APDUs over ISO/IEC 14443-4.
///
/// - `00 A4 04 00 09 <AID> 00` (SELECT by name): the Latchkey AID answers version u8 and the
///   credential id u32 LE with 90 00; any other AID deselects and answers 6A 82.
/// - `80 A1 00 00 20 <challenge 32> 28` (AUTHENTICATE): only once selected (else 69 82); the
///   counter goes up by one and the card answers credential id, counter and
///   HMAC-SHA256(card key, challenge ‖ credential id ‖ counter) with 90 00. At counter 2³²−1 it
///   answers 69 83 for ever (never wraps, so never rolls back).
/// - Wrong lengths 67 00, wrong P1-P2 6A 86, unknown INS 6D 00, unknown CLA 6E 00.
///
/// The counter must be persisted after every answer (``counter``), before the answer leaves the
/// card, so a crash never repeats a counter.
public struct NFCCardApplication: NFCCardChannel, Sendable {
    /// The credential id (the fob's authorization id) the SELECT response announces, u32 LE.
    public let credentialID: UInt32
    let key: NFCCardKey
    /// The last counter the card used (0: never answered).
    public private(set) var counter: UInt32
    /// Whether the Latchkey AID is selected: set by SELECT of it, cleared by SELECT of another AID
    /// or ``deselect()``. AUTHENTICATE answers 69 82 while false.
    public private(set) var isSelected = false

    /// A card application for `credentialID` holding the card `key`, resuming at the persisted
    /// `counter` (0 for a new card). Starts deselected.
    public init(credentialID: UInt32, key: NFCCardKey, counter: UInt32 = 0) {
        self.credentialID = credentialID
        self.key = key
        self.counter = counter
    }

    /// The field went away or the reader released the card: selection is lost.
    public mutating func deselect() { isSelected = false }

    /// Answers one command APDU.
    public mutating func respond(to bytes: [UInt8]) -> [UInt8] {
        respond(to: bytes).encoded
    }

    /// Answers one command APDU as a ``ResponseAPDU``.
    public mutating func respond(to bytes: [UInt8]) -> ResponseAPDU {
        let command: CommandAPDU
        do {
            command = try CommandAPDU(decoding: bytes)
        } catch {
            return ResponseAPDU(status: .wrongLength)
        }
        switch (command.cla, command.ins) {
        case (0x00, LatchkeyNFC.selectInstruction):
            guard command.p1 == 0x04, command.p2 == 0x00 else { return ResponseAPDU(status: .incorrectP1P2) }
            guard command.data == LatchkeyNFC.aid else {
                isSelected = false
                return ResponseAPDU(status: .applicationNotFound)
            }
            isSelected = true
            var w = WireWriter()
            w.write(LatchkeyNFC.version)
            w.write(credentialID)
            return ResponseAPDU(data: w.bytes, status: .success)
        case (LatchkeyNFC.proprietaryClass, LatchkeyNFC.authenticateInstruction):
            guard isSelected else { return ResponseAPDU(status: .securityStatusNotSatisfied) }
            guard command.p1 == 0, command.p2 == 0 else { return ResponseAPDU(status: .incorrectP1P2) }
            guard command.data.count == LatchkeyNFC.challengeByteCount else { return ResponseAPDU(status: .wrongLength) }
            guard counter < UInt32.max else { return ResponseAPDU(status: .authenticationBlocked) }
            counter += 1
            let assertion = NFCCardAssertion(key: key, credentialID: credentialID, counter: counter, challenge: command.data)
            return ResponseAPDU(data: assertion.encoded, status: .success)
        case (0x00, _), (LatchkeyNFC.proprietaryClass, _):
            return ResponseAPDU(status: .instructionNotSupported)
        default:
            return ResponseAPDU(status: .classNotSupported)
        }
    }

    /// ``NFCCardChannel``: the card in the same process as the reader.
    public mutating func transceive(_ command: [UInt8]) throws(NFCError) -> [UInt8] {
        respond(to: command)
    }
}
