import BLETransport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The error `BlueZTransport` throws: a machine-readable ``Code``, a reason in words, and where a
/// system call failed its `errno` (or, for a controller that refused an HCI command, the HCI
/// status code of Bluetooth Core 5.4, Vol 1, Part F).
///
/// ``init(_:)`` explains a ``SystemCallError``: `EAFNOSUPPORT` is ``Code/noBluetooth`` ("no
/// Bluetooth on this machine …"), `ENODEV`/`ENETDOWN`/`ERFKILL` ``Code/noController``,
/// `EPERM`/`EACCES` ``Code/permissionDenied``, `EADDRINUSE` ``Code/addressInUse`` (usually
/// bluetoothd's own GATT server on the ATT channel), and so on.
public struct BluetoothError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed. A struct over a private enum, so new codes are not source breaking.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case noBluetooth, noController, permissionDenied, addressInUse, busy, unreachable
            case invalidArgument, timeout, closed, pduTooLarge, emptyPDU, dataTooLong
            case controllerRejected, malformedEvent, system
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The kernel has no Bluetooth at all (`socket(AF_BLUETOOTH, …)` gave `EAFNOSUPPORT`).
        public static let noBluetooth = Code(.noBluetooth)
        /// Kernel Bluetooth exists but no controller is there, up, or unblocked (`ENODEV`,
        /// `ENETDOWN`, `ERFKILL`, `EADDRNOTAVAIL`).
        public static let noController = Code(.noController)
        /// Raw HCI and binding the ATT channel need root or `CAP_NET_RAW`/`CAP_NET_ADMIN`.
        public static let permissionDenied = Code(.permissionDenied)
        /// The ATT fixed channel on that adapter already has a listener (`EADDRINUSE`).
        public static let addressInUse = Code(.addressInUse)
        /// The device or socket is busy (`EBUSY`, `EALREADY`).
        public static let busy = Code(.busy)
        /// The peer did not answer or refused (`EHOSTUNREACH`, `EHOSTDOWN`, `ECONNREFUSED`).
        public static let unreachable = Code(.unreachable)
        /// A parameter out of its range, or the kernel said `EINVAL`.
        public static let invalidArgument = Code(.invalidArgument)
        /// A connect, send or HCI command did not complete in time.
        public static let timeout = Code(.timeout)
        /// The link or device is closed, or the peer went away.
        public static let closed = Code(.closed)
        /// A PDU (or received SDU) longer than the link's maximum; a received one is dropped whole.
        public static let pduTooLarge = Code(.pduTooLarge)
        /// An empty PDU: ATT has none.
        public static let emptyPDU = Code(.emptyPDU)
        /// Advertising or scan response data longer than the 31 octets a legacy PDU carries.
        public static let dataTooLong = Code(.dataTooLong)
        /// The controller answered an HCI command with a non-zero status; see
        /// ``BluetoothError/hciStatus``.
        public static let controllerRejected = Code(.controllerRejected)
        /// An HCI event whose lengths or counts do not add up.
        public static let malformedEvent = Code(.malformedEvent)
        /// Any other system call failure; see ``BluetoothError/errno``.
        public static let system = Code(.system)

        /// The code's name.
        public var description: String {
            switch base {
            case .noBluetooth: return "noBluetooth"
            case .noController: return "noController"
            case .permissionDenied: return "permissionDenied"
            case .addressInUse: return "addressInUse"
            case .busy: return "busy"
            case .unreachable: return "unreachable"
            case .invalidArgument: return "invalidArgument"
            case .timeout: return "timeout"
            case .closed: return "closed"
            case .pduTooLarge: return "pduTooLarge"
            case .emptyPDU: return "emptyPDU"
            case .dataTooLong: return "dataTooLong"
            case .controllerRejected: return "controllerRejected"
            case .malformedEvent: return "malformedEvent"
            case .system: return "system"
            }
        }
    }

    /// The reason given for ``Code/noBluetooth``.
    public static let noBluetoothReason =
        "no Bluetooth on this machine (the kernel has no AF_BLUETOOTH); use the socket link or the VM lane"

    /// What failed.
    public let code: Code
    /// Why, in words.
    public let reason: String
    /// The `errno` of a failed system call, or 0.
    public let errno: Int32
    /// The HCI status of a refused command (``Code/controllerRejected``), or 0.
    public let hciStatus: UInt8

    /// An error with its code and reason.
    public init(_ code: Code, _ reason: String, errno: Int32 = 0, hciStatus: UInt8 = 0) {
        self.code = code
        self.reason = reason
        self.errno = errno
        self.hciStatus = hciStatus
    }

    /// Explains a failed call: maps its `errno` to a code and says what to do about it.
    public init(_ failure: SystemCallError) {
        let call = failure.call
        let number = failure.errno
        let text = "\(call): \(Self.errnoName(number))"
        switch number {
        case EAFNOSUPPORT, EPROTONOSUPPORT, ESOCKTNOSUPPORT:
            self.init(.noBluetooth, "\(Self.noBluetoothReason) [\(text)]", errno: number)
        case ENODEV, ENETDOWN, ERFKILL, EADDRNOTAVAIL:
            self.init(.noController, "no usable Bluetooth controller: none present, down, or blocked by rfkill (check `btmgmt info`, `rfkill list`) [\(text)]", errno: number)
        case EPERM, EACCES:
            self.init(.permissionDenied, "raw HCI and the ATT channel need root or CAP_NET_RAW/CAP_NET_ADMIN [\(text)]", errno: number)
        case EADDRINUSE:
            self.init(.addressInUse, "the ATT channel already has a listener on that adapter; stop bluetoothd (`systemctl stop bluetooth`) or turn its GATT server off [\(text)]", errno: number)
        case EBUSY, EALREADY:
            self.init(.busy, "the device or socket is busy [\(text)]", errno: number)
        case EHOSTUNREACH, EHOSTDOWN, ECONNREFUSED:
            self.init(.unreachable, "the peer did not answer or refused the connection [\(text)]", errno: number)
        case ETIMEDOUT:
            self.init(.timeout, "timed out [\(text)]", errno: number)
        case EINVAL:
            self.init(.invalidArgument, "the kernel rejected the arguments (a client socket must bind CID 4 before connecting) [\(text)]", errno: number)
        case ECONNRESET, ENOTCONN, EPIPE, ECONNABORTED, EBADF:
            self.init(.closed, "the link is closed [\(text)]", errno: number)
        default:
            self.init(.system, text, errno: number)
        }
    }

    /// A controller's refusal of `command` with HCI `status` (Core 5.4, Vol 1, Part F, §1.3).
    public static func rejected(_ command: String, status: UInt8) -> BluetoothError {
        let name: String
        switch status {
        case 0x01: name = "Unknown HCI Command"
        case 0x0C: name = "Command Disallowed"
        case 0x11: name = "Unsupported Feature or Parameter Value"
        case 0x12: name = "Invalid HCI Command Parameters"
        default: name = "HCI status 0x" + String(status, radix: 16, uppercase: true)
        }
        return BluetoothError(.controllerRejected, "the controller refused \(command): \(name)", hciStatus: status)
    }

    /// The same failure as a `BLETransport` ``TransportError`` (for ``ATTLink`` methods):
    /// closed, timeout, pduTooLarge and emptyPDU map to their namesakes, everything else is
    /// ``TransportError/Code/system`` with this error's description as the reason.
    public var transportError: TransportError {
        switch code {
        case .closed: return TransportError(.closed, reason, errno: errno)
        case .timeout: return TransportError(.timeout, reason, errno: errno)
        case .pduTooLarge: return TransportError(.pduTooLarge, reason)
        case .emptyPDU: return TransportError(.emptyPDU, reason)
        default: return TransportError(.system, "\(code): \(reason)", errno: errno)
        }
    }

    /// `BluetoothError.<code>: <reason>`.
    public var description: String { "BluetoothError.\(code): \(reason)" }

    private static func errnoName(_ number: Int32) -> String {
        guard let text = strerror(number) else { return "errno \(number)" }
        return "\(String(cString: text)) (errno \(number))"
    }
}
