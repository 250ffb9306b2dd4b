import LockWire

/// The keypad's side of the NFC credential protocol, sans-I/O: builds the two command APDUs and
/// checks the card's answers. ``authenticate(challenge:over:)`` runs both over a channel.
///
/// A tag without the Latchkey application (a UID-only tag, another card) ends in
/// ``NFCError/Code/noApplication``: it has nothing to authenticate with, and its UID is only an
/// identifier (`docs/attacks.md` F-01).
public enum NFCCardReader {
    /// The SELECT command APDU.
    public static var selectCommand: [UInt8] { LatchkeyNFC.selectCommand.encoded }

    /// The credential id announced by a SELECT response.
    public static func readSelect(_ response: [UInt8]) throws(NFCError) -> UInt32 {
        let apdu = try ResponseAPDU(decoding: response)
        switch apdu.status {
        case .success: break
        case .applicationNotFound, .instructionNotSupported, .classNotSupported:
            throw NFCError(.noApplication, "the card has no Latchkey application (SW \(apdu.status))")
        default:
            throw NFCError(.statusWord, "SELECT answered SW \(apdu.status)")
        }
        var r = WireReader(apdu.data, context: "SELECT response")
        let version: UInt8
        let id: UInt32
        do {
            version = try r.readUInt8("version")
            id = try r.readUInt32("credential id")
            try r.finish()
        } catch {
            throw NFCError(.badResponse, error.reason)
        }
        guard version == LatchkeyNFC.version else {
            throw NFCError(.badResponse, "card application version \(version); this reader speaks \(LatchkeyNFC.version)")
        }
        return id
    }

    /// The AUTHENTICATE command APDU for `challenge`.
    public static func authenticateCommand(challenge: Bytes32) -> [UInt8] {
        LatchkeyNFC.authenticateCommand(challenge: challenge.bytes).encoded
    }

    /// The assertion in an AUTHENTICATE response; its credential id must be the one SELECT announced.
    public static func readAuthenticate(_ response: [UInt8], credentialID: UInt32) throws(NFCError) -> NFCCardAssertion {
        let apdu = try ResponseAPDU(decoding: response)
        guard apdu.status == .success else { throw NFCError(.statusWord, "AUTHENTICATE answered SW \(apdu.status)") }
        let assertion = try NFCCardAssertion(decoding: apdu.data)
        guard assertion.credentialID == credentialID else {
            throw NFCError(.badResponse, "the card answered for credential \(assertion.credentialID) after announcing \(credentialID)")
        }
        return assertion
    }

    /// SELECT then AUTHENTICATE over `channel`.
    public static func authenticate<Channel: NFCCardChannel>(challenge: Bytes32, over channel: inout Channel) throws(NFCError) -> NFCCardAssertion {
        let credentialID = try readSelect(try channel.transceive(selectCommand))
        return try readAuthenticate(try channel.transceive(authenticateCommand(challenge: challenge)), credentialID: credentialID)
    }
}
