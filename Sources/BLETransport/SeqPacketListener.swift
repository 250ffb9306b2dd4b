#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// A listening Unix-domain `SOCK_SEQPACKET` socket bound at a path: the emulated peripheral's
/// side of a ``SeqPacketLink`` (bind, listen, accept).
///
/// A socket file already at the path (normally a stale one left by a process that died) is
/// replaced; any other kind of file there is an error (`EADDRINUSE`). ``close()`` stops
/// listening and removes the socket file.
public final class SeqPacketListener: Sendable {
    private let fd: Int32
    private let closed = Atomic<Bool>(false)
    /// The bound path.
    public let path: String
    /// The ``ATTLink/maximumPDUSize`` of accepted links.
    public let maximumPDUSize: Int

    /// The listen backlog a lock uses: Linux's default `somaxconn` (4096 since 5.4); the kernel
    /// caps a larger value at `net.core.somaxconn`.
    public static let defaultBacklog: Int32 = 4096

    /// Binds and listens at `path`; the socket file gets mode 0600. `backlog` is `listen(2)`'s:
    /// connections the kernel completes before they are accepted.
    public init(path: String, backlog: Int32 = SeqPacketListener.defaultBacklog, maximumPDUSize: Int = 517) throws(TransportError) {
        let fd = socket(AF_UNIX, UnixSocket.seqPacketType, 0)
        guard fd >= 0 else { throw UnixSocket.failure("socket") }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFSOCK { _ = unlink(path) }
        let bound = try UnixSocket.withAddress(path) { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let error = UnixSocket.failure("bind/listen \(path)")
            _ = Glibc.close(fd)
            throw error
        }
        _ = chmod(path, 0o600)
        self.fd = fd
        self.path = path
        self.maximumPDUSize = maximumPDUSize
    }

    deinit {
        _ = Glibc.close(fd)
    }

    /// The listening socket: readable when a connection waits to be accepted.
    public var pollDescriptor: Int32 { fd }

    /// The next connection, waiting up to `timeout`; `nil` on timeout.
    public func accept(timeout: Duration) throws(TransportError) -> SeqPacketLink? {
        var waited = false
        while true {
            guard !closed.load(ordering: .acquiring) else { throw TransportError(.closed, "the listener is closed") }
            let client = Glibc.accept(fd, nil, nil)
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                return SeqPacketLink(fd: client, maximumPDUSize: maximumPDUSize)
            }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK:
                if waited { return nil }
                guard try UnixSocket.wait(fd, Int16(POLLIN), timeout) else { return nil }
                waited = true
            default: throw UnixSocket.failure("accept")
            }
        }
    }

    /// Stops listening and removes the socket file. Idempotent.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = shutdown(fd, Int32(SHUT_RDWR))
        _ = unlink(path)
    }
}
