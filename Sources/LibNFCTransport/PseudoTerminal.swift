import Foundation
internal import CNFC

#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair for a virtual serial device: the emulator keeps the master, libnfc opens
/// the slave path (`pn532_uart:<path>`). The slave is set raw before anyone opens it and one slave
/// descriptor stays open, so the master never reads EIO between two libnfc sessions
/// (`real-stacks.md` §NFC).
public final class PseudoTerminal: @unchecked Sendable {
    /// The master side's file descriptor, kept by the emulator; closed on deinit.
    public let masterFD: Int32
    private let slaveFD: Int32
    /// The slave's path, e.g. /dev/pts/3.
    public let path: String

    /// Opens a pty pair (`posix_openpt`, `grantpt`, `unlockpt`, `ptsname_r`), opens the slave and
    /// sets it raw at 115200 baud. Throws ``NFCTransportError`` naming the system call that failed and its `strerror`.
    public init() throws(NFCTransportError) {
        let master = posix_openpt(O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw NFCTransportError.system("posix_openpt", errno) }
        guard grantpt(master) == 0, unlockpt(master) == 0 else {
            let e = errno
            close(master)
            throw NFCTransportError.system("grantpt/unlockpt", e)
        }
        var name = [CChar](repeating: 0, count: 128)
        guard ptsname_r(master, &name, name.count) == 0 else {
            let e = errno
            close(master)
            throw NFCTransportError.system("ptsname_r", e)
        }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let slave = open(path, O_RDWR | O_NOCTTY)
        guard slave >= 0 else {
            let e = errno
            close(master)
            throw NFCTransportError.system("open \(path)", e)
        }
        var attributes = termios()
        tcgetattr(slave, &attributes)
        cfmakeraw(&attributes)
        cfsetspeed(&attributes, speed_t(B115200))
        tcsetattr(slave, TCSANOW, &attributes)
        masterFD = master
        slaveFD = slave
        self.path = path
    }

    deinit {
        close(masterFD)
        close(slaveFD)
    }

    /// Reads what is available within `timeoutMilliseconds`; empty on timeout.
    public func read(timeoutMilliseconds: Int32) -> [UInt8] {
        var pfd = pollfd(fd: masterFD, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, timeoutMilliseconds) > 0, pfd.revents & Int16(POLLIN) != 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = Glibc.read(masterFD, &buffer, buffer.count)
        return n > 0 ? Array(buffer.prefix(n)) : []
    }

    /// Whether the host has written bytes not read yet (the master is readable now; nothing is
    /// consumed).
    public func hasInput() -> Bool {
        var pfd = pollfd(fd: masterFD, events: Int16(POLLIN), revents: 0)
        return poll(&pfd, 1, 0) > 0 && pfd.revents & Int16(POLLIN) != 0
    }

    /// Writes all of `bytes` to the master side.
    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(masterFD, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR || errno == EAGAIN { continue } else { return } }
            offset += n
        }
    }
}
