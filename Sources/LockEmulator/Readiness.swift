import BLETransport
internal import CLinux
import Foundation

/// The lock's wait: one `epoll(7)` instance over the listener, every link's descriptor and a
/// doorbell (`eventfd(2)`) that other threads ring, level-triggered. ``wait(timeout:)`` returns the
/// tokens that became ready; the caller registers each descriptor under a token of its own.
///
/// Costs: a wait is O(ready descriptors), not O(registered), so 10,000 idle connections cost
/// nothing until one of them speaks.
final class Readiness {
    /// An `eventfd(2)` that wakes the wait from any thread (or a dispatch source's handler).
    final class Doorbell: Sendable {
        let fd: Int32
        init() throws {
            fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
            guard fd >= 0 else { throw LockServer.Failure("eventfd: \(String(cString: strerror(errno)))") }
        }
        deinit { close(fd) }
        /// One `write(2)` of 1: the waiting loop returns.
        func ring() {
            var one: UInt64 = 1
            _ = write(fd, &one, 8)
        }
    }

    /// What a descriptor is waited for.
    struct Interest: OptionSet, Sendable {
        let rawValue: UInt32
        /// A PDU, a connection or the peer's close can be read.
        static let readable = Interest(rawValue: EPOLLIN.rawValue)
        /// A send would not block.
        static let writable = Interest(rawValue: EPOLLOUT.rawValue)
    }

    /// One ready descriptor: its token and whether it can be read (or hung up) or written.
    struct Ready {
        let token: UInt64
        let readable: Bool
        let writable: Bool
    }

    /// The doorbell's token.
    static let doorbellToken = UInt64.max

    private let epoll: Int32
    /// Rings this loop awake.
    let doorbell: Doorbell
    private var buffer: [epoll_event]

    /// Throws ``LockServer/Failure`` when the kernel refuses an epoll instance or an eventfd
    /// (descriptor limit reached).
    init(capacity: Int = 256) throws {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw LockServer.Failure("epoll_create1: \(String(cString: strerror(errno)))") }
        do {
            doorbell = try Doorbell()
        } catch {
            close(epoll)
            throw error
        }
        buffer = [epoll_event](repeating: epoll_event(), count: max(1, capacity))
        try add(doorbell.fd, token: Self.doorbellToken, interest: .readable)
    }

    deinit { close(epoll) }

    /// Starts waiting for `interest` on `fd` under `token`.
    func add(_ fd: Int32, token: UInt64, interest: Interest) throws {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw LockServer.Failure("epoll_ctl ADD \(fd): \(String(cString: strerror(errno)))")
        }
    }

    /// Changes what `fd` is waited for (an empty set keeps it registered but silent).
    func modify(_ fd: Int32, token: UInt64, interest: Interest) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = token
        _ = epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops waiting on `fd` (before it is closed).
    func remove(_ fd: Int32) {
        var event = epoll_event()
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &event)
    }

    /// Waits until a descriptor is ready or `timeout` passes (nil: no limit, zero: a poll) and
    /// returns what is ready; the doorbell is reset when it rang.
    func wait(timeout: Duration?) -> [Ready] {
        let milliseconds = timeout?.pollMilliseconds ?? -1
        var count: Int32 = -1
        while count < 0 {
            count = buffer.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), milliseconds) }
            if count < 0 && errno != EINTR { return [] }
        }
        var ready: [Ready] = []
        ready.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            let event = buffer[index]
            let token = event.data.u64
            if token == Self.doorbellToken {
                var value: UInt64 = 0
                _ = read(doorbell.fd, &value, 8)
                continue
            }
            let readable = event.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue) != 0
            ready.append(Ready(token: token, readable: readable, writable: event.events & EPOLLOUT.rawValue != 0))
        }
        if Int(count) == buffer.count && buffer.count < 65_536 {
            buffer = [epoll_event](repeating: epoll_event(), count: buffer.count * 2)
        }
        return ready
    }
}
