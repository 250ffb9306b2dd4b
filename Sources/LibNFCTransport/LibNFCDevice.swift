internal import CNFC
import LockNFC

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
        var context: OpaquePointer?
        nfc_init(&context)
        guard let context else { throw NFCError(.transport, "libnfc could not be initialised (nfc_init)") }
        guard let device = nfc_open(context, connstring) else {
            nfc_exit(context)
            throw NFCError(.transport, "libnfc cannot open \(connstring)")
        }
        self.context = context
        self.device = device
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
        if let device { nfc_close(device) }
        if let context { nfc_exit(context) }
        device = nil
        context = nil
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
