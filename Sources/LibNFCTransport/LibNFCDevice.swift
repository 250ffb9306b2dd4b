internal import CNFC
import LockNFC
import Synchronization

/// One libnfc device (its own `nfc_context`), opened by connection string, e.g.
/// `pn532_uart:/dev/pts/3`. Closed (and the context freed) on ``close()`` or deinit.
/// Not thread-safe: use one device from one thread.
public final class LibNFCDevice: @unchecked Sendable {
    var context: OpaquePointer?
    var device: OpaquePointer?
    /// The libnfc connection string the device was opened with, e.g. `pn532_uart:/dev/pts/3`.
    public let connstring: String

    /// Initialises a libnfc context (`nfc_init`) and opens `connstring` (`nfc_open`). Throws
    /// ``LockNFC/NFCError`` ``LockNFC/NFCError/Code/transport`` when either fails.
    public init(connstring: String) throws(NFCError) {
        self.connstring = connstring
        // libnfc's context set-up and tear-down touch process-wide state (its log and configuration
        // counters), so two threads opening or closing devices at once can corrupt the heap: seen
        // as "double free or corruption" in a parallel test run. One lock for all of them.
        let opened = Self.lifecycle.withLock { _ -> (OpaquePointer?, OpaquePointer?) in
            var context: OpaquePointer?
            nfc_init(&context)
            guard let context else { return (nil, nil) }
            guard let device = nfc_open(context, connstring) else {
                nfc_exit(context)
                return (context, nil)
            }
            return (context, device)
        }
        guard opened.0 != nil else { throw NFCError(.transport, "libnfc could not be initialised (nfc_init)") }
        guard let device = opened.1 else { throw NFCError(.transport, "libnfc cannot open \(connstring)") }
        self.context = opened.0
        self.device = device
    }

    /// Serialises `nfc_init`/`nfc_open` and `nfc_close`/`nfc_exit` across the process.
    private static let lifecycle = Mutex(())

    /// libnfc's version string (`nfc_version`), e.g. `1.8.0`.
    public static var libraryVersion: String { nfc_version().map { String(cString: $0) } ?? "?" }

    /// Whether a libnfc context can be created and released (`nfc_init`, `nfc_exit`), under the same
    /// process-wide lock as devices; no device is opened.
    public static func contextWorks() -> Bool {
        lifecycle.withLock { _ in
            var context: OpaquePointer?
            nfc_init(&context)
            guard let context else { return false }
            nfc_exit(context)
            return true
        }
    }

    deinit { close() }

    /// The device's name as libnfc reports it.
    public var name: String {
        guard let device, let name = nfc_device_get_name(device) else { return "" }
        return String(cString: name)
    }

    /// Closes the device (`nfc_close`) and frees its context (`nfc_exit`); later calls do nothing, and
    /// later use throws ``LockNFC/NFCError/Code/transport``.
    public func close() {
        Self.lifecycle.withLock { _ in
            let (device, context) = (self.device, self.context)
            self.device = nil
            self.context = nil
            if let device { nfc_close(device) }
            if let context { nfc_exit(context) }
        }
    }

    /// Makes the libnfc call another thread is blocked in on this device return `NFC_EOPABORTED`
    /// (`nfc_abort_command`; for `pn532_uart` libnfc then sends the PN532 an ACK frame, which
    /// aborts the chip's current command). The one call that may come from another thread, as in
    /// libnfc's examples that stop an emulation on SIGINT. Does nothing once closed. An abort that
    /// comes before the call starts blocking is lost, so a caller repeats it until the call returned.
    public func abort() {
        Self.lifecycle.withLock { _ in
            if let device { _ = nfc_abort_command(device) }
        }
    }

    /// The open device, or a transport error once closed.
    func handle() throws(NFCError) -> OpaquePointer {
        guard let device else { throw NFCError(.transport, "\(connstring) is closed") }
        return device
    }

    /// Maps a negative libnfc return code to ``NFCError`` (NFC_ETIMEOUT → timeout, NFC_ETGRELEASED
    /// → released, NFC_ENOTSUCHDEV → noCard, the rest → transport with libnfc's message).
    func check(_ code: Int32, _ call: String) throws(NFCError) -> Int {
        guard code < 0 else { return Int(code) }
        let message = device.flatMap { nfc_strerror($0) }.map { String(cString: $0) } ?? "error \(code)"
        throw Self.error(code: code, call: "\(call): \(message)")
    }

    static func error(code: Int32, call: String) -> NFCError {
        switch code {
        case NFC_ETIMEOUT: return NFCError(.timeout, call)
        case NFC_ETGRELEASED: return NFCError(.released, call)
        case NFC_ENOTSUCHDEV: return NFCError(.noCard, call)
        default: return NFCError(.transport, call)
        }
    }
}
