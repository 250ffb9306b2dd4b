import LatchkeyTestSupport
import LockCore
import LockEmulator
import LockNFC
import LockPeripherals
import LockSession
import Testing

/// NFC taps work in every room alike: a keypad on the socket link or the in-process ATT link reads
/// a card held to it and relays the answer through GATT, as ``InProcessRoom`` does between the engines.
@Suite struct RoomNFCTests {
    static func keypadFeedback(_ room: LinkedRoom) -> [PeripheralFeedback] {
        room.drain().compactMap { entry in
            if entry.source == "keypad", case .feedback(let f) = entry.event { return f }
            return nil
        }
    }

    @Test(arguments: LinkedRoom.Link.allCases)
    func aTapOnTheKeypadIsVerifiedOverEveryLink(_ link: LinkedRoom.Link) throws {
        let fixture = try NFCRoomFixture()
        let fobID = try #require(fixture.authID("fob"))
        let room = try LinkedRoom(lock: fixture.detachedLock, now: fixture.room.now, link: link)
        try room.add("keypad", .keypad(try #require(fixture.keypad)))
        try room.add("fob", .fob(try #require(fixture.fob)))
        _ = room.drain()

        // A tag with only a UID: refused, logged, the lock stays locked.
        room.tap(.tag(uid: FobEmulator.nfcUID(fobID: 0x0F0B)), on: "keypad", relayDelayMilliseconds: 0)
        #expect(Self.keypadFeedback(room) == [.refused(.notAuthorized)])
        #expect(room.machine.lockState == .locked)

        // The fob's card, 300 ms of relay delay on the room's clock: accepted, its counter moves on.
        let before = room.now
        room.tap(fob: "fob", on: "keypad", relayDelayMilliseconds: 300)
        #expect(Self.keypadFeedback(room) == [.accepted(.keypadAction)])
        #expect(room.machine.lockState == .unlocked)
        #expect(room.machine.nfcCounters[fobID] == 1)
        #expect(room.now == before.adding(milliseconds: 300))
        #expect(room.cardReads.count == 2)
        #expect(room.cardReads.last?.assertion?.counter == 1)
    }
}
