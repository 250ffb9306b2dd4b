#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// An ``ATTLink`` over a Unix-domain `SOCK_SEQPACKET` socket: exactly one ATT PDU per datagram,
/// boundaries and order kept — the semantics of a BlueZ L2CAP LE socket on CID 0x0004, so one
/// code path serves both (docs/architecture.md §3).
///
/// The socket is non-blocking; ``receive(timeout:)`` waits with `poll(2)`. A received datagram
/// longer than ``maximumPDUSize`` is dropped whole (read with `MSG_TRUNC`) and reported as
/// ``TransportError/Code/pduTooLarge``; a zero-length read is the peer closing (ATT has no empty
/// PDU). ``close()`` shuts the socket down (waking a `poll` on another thread); the descriptor is
/// released on deinit. Make one with ``connect(path:maximumPDUSize:)``, ``SeqPacketListener``, or
/// ``pair(maximumPDUSize:)`` (a `socketpair(2)`).
public final class SeqPacketLink: ATTLink {
    private let fd: Int32
    private let closed = Atomic<Bool>(false)
    /// The longest PDU sent or accepted.
    public let maximumPDUSize: Int
    /// How long ``send(_:)`` waits for room in the socket buffer.
    public let sendTimeout: Duration

    init(fd: Int32, maximumPDUSize: Int, sendTimeout: Duration = .seconds(5)) {
        self.fd = fd
        self.maximumPDUSize = max(1, maximumPDUSize)
        self.sendTimeout = sendTimeout
    }

    deinit { _ = Glibc.close(fd) }

    /// Connects to a ``SeqPacketListener`` bound at `path`.
    public static func connect(path: String, maximumPDUSize: Int = 517) throws(TransportError) -> SeqPacketLink {
        let fd = socket(AF_UNIX, UnixSocket.seqPacketType, 0)
        guard fd >= 0 else { throw UnixSocket.failure("socket") }
        let result = try UnixSocket.withAddress(path) { Glibc.connect(fd, $0, $1) }
        guard result == 0 else {
            let error = UnixSocket.failure("connect \(path)")
            _ = Glibc.close(fd)
            throw error
        }
        return SeqPacketLink(fd: fd, maximumPDUSize: maximumPDUSize)
    }

    /// Two connected endpoints from `socketpair(AF_UNIX, SOCK_SEQPACKET)`.
    public static func pair(maximumPDUSize: Int = 517) throws(TransportError) -> (SeqPacketLink, SeqPacketLink) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, UnixSocket.seqPacketType, 0, &fds) == 0 else { throw UnixSocket.failure("socketpair") }
        return (SeqPacketLink(fd: fds[0], maximumPDUSize: maximumPDUSize), SeqPacketLink(fd: fds[1], maximumPDUSize: maximumPDUSize))
    }

    /// Sends `pdu` as one datagram, waiting up to ``sendTimeout`` for buffer space.
    public func send(_ pdu: [UInt8]) throws(TransportError) {
        guard !closed.load(ordering: .acquiring) else { throw TransportError(.closed, "the socket link is closed") }
        guard !pdu.isEmpty else { throw TransportError(.emptyPDU, "ATT has no empty PDU") }
        guard pdu.count <= maximumPDUSize else { throw TransportError(.pduTooLarge, "\(pdu.count) octets > \(maximumPDUSize)") }
        while true {
            let n = pdu.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n == pdu.count { return }
            if n >= 0 { throw TransportError(.system, "short datagram send: \(n) of \(pdu.count)") }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard try UnixSocket.wait(fd, Int16(POLLOUT), sendTimeout) else {
                    throw TransportError(.timeout, "no socket buffer space within \(sendTimeout)")
                }
            case EPIPE, ECONNRESET, ENOTCONN: throw TransportError(.closed, "the peer closed the socket link")
            default: throw UnixSocket.failure("send")
            }
        }
    }

    /// The socket: readable when a datagram or the peer's close waits, writable when there is room.
    public var pollDescriptor: Int32? { fd }

    /// Sends `pdu` as one datagram if the socket buffer has room now; false (nothing sent) if not.
    public func trySend(_ pdu: [UInt8]) throws(TransportError) -> Bool {
        guard !closed.load(ordering: .acquiring) else { throw TransportError(.closed, "the socket link is closed") }
        guard !pdu.isEmpty else { throw TransportError(.emptyPDU, "ATT has no empty PDU") }
        guard pdu.count <= maximumPDUSize else { throw TransportError(.pduTooLarge, "\(pdu.count) octets > \(maximumPDUSize)") }
        while true {
            let n = pdu.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
            if n == pdu.count { return true }
            if n >= 0 { throw TransportError(.system, "short datagram send: \(n) of \(pdu.count)") }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return false
            case EPIPE, ECONNRESET, ENOTCONN: throw TransportError(.closed, "the peer closed the socket link")
            default: throw UnixSocket.failure("send")
            }
        }
    }

    /// The next datagram, waiting up to `timeout`; `nil` on timeout.
    public func receive(timeout: Duration) throws(TransportError) -> [UInt8]? {
        var waited = false
        var buffer = [UInt8](repeating: 0, count: maximumPDUSize + 1)
        while true {
            guard !closed.load(ordering: .acquiring) else { throw TransportError(.closed, "the socket link is closed") }
            let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, Int32(MSG_TRUNC)) }
            if n > 0 {
                guard let count = Int(exactly: n), count <= maximumPDUSize else {
                    throw TransportError(.pduTooLarge, "a \(n)-octet datagram exceeds \(maximumPDUSize); dropped")
                }
                buffer.removeLast(buffer.count - count)
                return buffer
            }
            if n == 0 { throw TransportError(.closed, "the peer closed the socket link") }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                // `.zero` is a poll: the caller's epoll already said whether anything is there.
                if waited || timeout <= .zero { return nil }
                guard try UnixSocket.wait(fd, Int16(POLLIN), timeout) else { return nil }
                waited = true
            case ECONNRESET, ENOTCONN: throw TransportError(.closed, "the peer closed the socket link")
            default: throw UnixSocket.failure("recv")
            }
        }
    }

    /// Shuts the socket down both ways; the peer reads end of stream.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = shutdown(fd, Int32(SHUT_RDWR))
    }
}
