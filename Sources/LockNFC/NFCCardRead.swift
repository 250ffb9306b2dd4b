import LockWire

/// What the keypad's reader got from the card in its field for one challenge: the UID the card
/// announced at anticollision (ISO/IEC 14443-3) and, when it has the Latchkey application, its
/// assertion. A UID-only tag has no assertion; the keypad still relays the attempt, and the lock
/// refuses and logs it (`docs/attacks.md` F-01).
public struct NFCCardRead: Hashable, Sendable {
    /// The UID the card announced at anticollision (ISO/IEC 14443-3): 4, 7 or 10 bytes.
    public var uid: [UInt8]
    /// The card's answer to AUTHENTICATE; nil when the card has no Latchkey application.
    public var assertion: NFCCardAssertion?

    /// A read of the card with `uid`, with its assertion or nil.
    public init(uid: [UInt8], assertion: NFCCardAssertion?) {
        self.uid = uid
        self.assertion = assertion
    }
}

extension NFCCardReader {
    /// SELECT then AUTHENTICATE over `channel`; a card without the application gives a read with
    /// no assertion, other failures throw.
    public static func read<Channel: NFCCardChannel>(challenge: Bytes32, uid: [UInt8], over channel: inout Channel) throws(NFCError) -> NFCCardRead {
        do {
            return NFCCardRead(uid: uid, assertion: try authenticate(challenge: challenge, over: &channel))
        } catch where error.code == .noApplication {
            return NFCCardRead(uid: uid, assertion: nil)
        }
    }
}
