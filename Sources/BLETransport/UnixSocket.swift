#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// System-call helpers shared by ``SeqPacketLink`` and ``SeqPacketListener``: `sockaddr_un`,
/// non-blocking mode, `poll(2)` with a `Duration` (``Swift/Duration/pollMilliseconds``), `errno` as ``TransportError``.
enum UnixSocket {
    /// `SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK`.
    static var seqPacketType: Int32 {
        Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
    }

    static func failure(_ what: String) -> TransportError {
        let code = errno
        return TransportError(.system, "\(what): \(String(cString: strerror(code)))", errno: code)
    }

    /// Calls `body` with a `sockaddr_un` for `path`; ``TransportError/Code/pathTooLong`` when
    /// `path` does not fit `sun_path` with its NUL.
    static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws(TransportError) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
            throw TransportError(.pathTooLong, "socket path of \(bytes.count) octets; sun_path holds \(capacity - 1)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }

    /// Waits until `fd` is ready for `events` or `timeout` passes; true when ready (or hung up).
    static func wait(_ fd: Int32, _ events: Int16, _ timeout: Duration) throws(TransportError) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let n = poll(&entry, 1, timeout.pollMilliseconds)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("poll")
            }
            return n > 0
        }
    }
}
