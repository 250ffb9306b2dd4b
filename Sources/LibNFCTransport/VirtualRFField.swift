import Foundation
import LockNFC

/// A card a virtual reader can find in its RF field.
public protocol VirtualFieldCard: AnyObject, Sendable {
    /// The UID shown at anticollision (ISO/IEC 14443-3), 4, 7 or 10 bytes.
    var uid: [UInt8] { get }
    /// A reader activated the card (ISO/IEC 14443-3 select and -4 RATS). False when it has gone.
    func activate() -> Bool
    /// One command APDU to the card; nil when it does not answer within the timeout or has gone.
    func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]?
    /// The reader deselected or released the card, or switched its field off.
    func release()
}

/// The simulated RF field between virtual PN532s and cards: a card placed in it (a card
/// application in process, or a PN532 in card emulation) can be found by a reader polling it.
/// Thread-safe; every wait is bounded.
public final class VirtualRFField: @unchecked Sendable {
    private let condition = NSCondition()
    private var cards: [any VirtualFieldCard] = []

    /// An empty field.
    public init() {}

    /// A card enters the field.
    public func place(_ card: any VirtualFieldCard) {
        condition.lock()
        cards.append(card)
        condition.broadcast()
        condition.unlock()
    }

    /// A card leaves the field.
    public func remove(_ card: any VirtualFieldCard) {
        condition.lock()
        cards.removeAll { $0 === card }
        condition.unlock()
    }

    /// The first card in the field, waiting up to `timeoutMilliseconds` for one to arrive.
    public func waitForCard(timeoutMilliseconds: Int) -> (any VirtualFieldCard)? {
        let deadline = Date(timeIntervalSinceNow: Double(timeoutMilliseconds) / 1000)
        condition.lock()
        defer { condition.unlock() }
        while cards.isEmpty {
            guard condition.wait(until: deadline) else { break }
        }
        return cards.first
    }
}

/// An NFC card application held in the field in process (the `latchkey nfc virtual-reader` card,
/// tests). `onAnswer` sees the card's counter after every APDU, to persist it.
public final class VirtualCardApplet: VirtualFieldCard, @unchecked Sendable {
    /// The UID shown at anticollision (ISO/IEC 14443-3), as given at init.
    public let uid: [UInt8]
    private let lock = NSLock()
    private var application: NFCCardApplication
    private let onAnswer: @Sendable (UInt32) -> Void

    /// Holds `application` with `uid` (4, 7 or 10 bytes); `onAnswer` gets the counter after every APDU.
    public init(_ application: NFCCardApplication, uid: [UInt8], onAnswer: @escaping @Sendable (UInt32) -> Void = { _ in }) {
        self.application = application
        self.uid = uid
        self.onAnswer = onAnswer
    }

    /// The card's last used counter.
    public var counter: UInt32 { lock.withLock { application.counter } }

    /// Always true: an in-process card never leaves.
    public func activate() -> Bool { true }

    /// Answers `apdu` at once with ``LockNFC/NFCCardApplication`` (never nil; the timeout is unused),
    /// then calls `onAnswer` with the counter.
    public func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]? {
        let (answer, counter): ([UInt8], UInt32) = lock.withLock {
            let answer: [UInt8] = application.respond(to: apdu)
            return (answer, application.counter)
        }
        onAnswer(counter)
        return answer
    }

    /// Deselects the application.
    public func release() { lock.withLock { application.deselect() } }
}

/// The card face of a PN532 in card emulation (TgInitAsTarget): the reader's APDUs are handed to
/// the target's host with TgGetData, its answers come back with TgSetData.
final class PN532TargetCard: VirtualFieldCard, @unchecked Sendable {
    let uid: [UInt8]
    private let condition = NSCondition()
    private var activated = false
    private var released = false
    private var inbox: [UInt8]?
    private var outbox: [UInt8]?

    init(uid: [UInt8]) { self.uid = uid }

    func activate() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        activated = true
        condition.broadcast()
        return !released
    }

    /// Waits for a reader's activation, up to `until`; false on timeout or release.
    func waitForActivation(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !activated && !released {
            guard condition.wait(until: deadline) else { break }
        }
        return activated && !released
    }

    func exchange(_ apdu: [UInt8], timeoutMilliseconds: Int) -> [UInt8]? {
        let deadline = Date(timeIntervalSinceNow: Double(timeoutMilliseconds) / 1000)
        condition.lock()
        defer { condition.unlock() }
        guard !released else { return nil }
        inbox = apdu
        outbox = nil
        condition.broadcast()
        while outbox == nil && !released {
            guard condition.wait(until: deadline) else { break }
        }
        defer { outbox = nil }
        return outbox
    }

    /// The next APDU from the reader (TgGetData); nil once released or at `until`.
    func nextCommand(until deadline: Date) -> [UInt8]?? {
        condition.lock()
        defer { condition.unlock() }
        while inbox == nil && !released {
            guard condition.wait(until: deadline) else { return .some(nil) }
        }
        guard let command = inbox else { return nil }
        inbox = nil
        return .some(command)
    }

    /// The target host's answer (TgSetData).
    func answer(_ bytes: [UInt8]) {
        condition.lock()
        outbox = bytes
        condition.broadcast()
        condition.unlock()
    }

    func release() {
        condition.lock()
        released = true
        condition.broadcast()
        condition.unlock()
    }
}
