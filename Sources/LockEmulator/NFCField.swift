import LockNFC
import LockPeripherals
import LockWire

/// The keypads' NFC reader fields of a room, the same in every room (``InProcessRoom``,
/// ``LinkedRoom``): which card is held to which keypad, the relay delay, and every read made
/// (what an eavesdropper near the reader records).
struct NFCField {
    /// The card in a keypad's reader field (keypad name → card) and the relay delay (virtual
    /// milliseconds) between the challenge and the card's answer.
    var cards: [String: (card: InProcessRoom.FieldCard, delayMilliseconds: Int64)] = [:]
    /// Every card read a keypad made, in order.
    var reads: [NFCCardRead] = []

    /// Reads the card in `keypad`'s field for `challenge`: a named fob's card through `fob` (which
    /// hands the fob device to the body and keeps what it changed, its counter), any other card
    /// as it is. Returns the read (``LockNFC/NFCError`` `.noCard` when the field is empty) and the
    /// relay delay to add to the room's clock.
    mutating func read(
        for keypad: String, challenge: Bytes32, fob: (String, (inout FobEmulator) -> Void) -> Void
    ) -> (result: Result<NFCCardRead, NFCError>, delayMilliseconds: Int64) {
        var result: Result<NFCCardRead, NFCError> = .failure(NFCError(.noCard, "no card in the field"))
        guard let (card, delay) = cards[keypad] else { return (result, 0) }
        switch card {
        case .fob(let fobName):
            fob(fobName) { device in
                guard var app = device.nfcCard else { return }
                let uid = FobEmulator.nfcUID(fobID: device.fobID)
                result = Result { () throws(NFCError) -> NFCCardRead in try NFCCardReader.read(challenge: challenge, uid: uid, over: &app) }
                device.nfcCard = app
            }
        case .card(var app, let uid):
            result = Result { () throws(NFCError) -> NFCCardRead in try NFCCardReader.read(challenge: challenge, uid: uid, over: &app) }
            cards[keypad] = (.card(app, uid: uid), delay)
        case .tag(let uid):
            result = .success(NFCCardRead(uid: uid, assertion: nil))
        case .recorded(let read):
            result = .success(read)
        }
        if case .success(let read) = result { reads.append(read) }
        return (result, max(0, delay))
    }
}
