import BLETransport
import NukiProfile
import Synchronization

/// A lock front end inside one process: ``connect()`` makes an ``InProcessLink`` pair, keeps one end
/// for the lock's next ``accept(timeout:)`` and returns the other to the caller (a device's GATT
/// client). Advertising data is kept, not published. Used by ``LinkedRoom`` for the in-process
/// ATT link.
public final class InProcessFrontEnd: LockFrontEnd, Sendable {
    private struct State {
        var waiting: [InProcessLink] = []
        var advertisement: NukiAdvertisement?
        var stopped = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A new link to the lock; the lock takes its end at its next accept.
    /// - Throws: ``TransportError`` `.closed` after ``stop()``.
    public func connect() throws(TransportError) -> InProcessLink {
        let (lockSide, deviceSide) = InProcessLink.pair()
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.waiting.append(lockSide)
            return true
        }
        guard accepted else { throw TransportError(.closed, "the in-process lock has stopped") }
        return deviceSide
    }

    /// The oldest link waiting, or nil; never waits (the room drives both ends from one thread).
    public func accept(timeout: Duration) throws -> (any ATTLink)? {
        state.withLock { state in state.waiting.isEmpty ? nil : state.waiting.removeFirst() }
    }

    public func advertise(_ advertisement: NukiAdvertisement) throws {
        state.withLock { $0.advertisement = advertisement }
    }

    /// The advertising data last published (pairing-service data in pairing mode, else the iBeacon).
    public var advertisement: NukiAdvertisement? { state.withLock { $0.advertisement } }

    public func stop() {
        let waiting = state.withLock { state -> [InProcessLink] in
            state.stopped = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for link in waiting { link.close() }
    }

    public var location: String { "in-process ATT link" }
}
