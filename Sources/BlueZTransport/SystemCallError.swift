/// A failed system or libbluetooth call as the ``BluetoothSystem`` seam reports it: which call, and
/// its `errno`. ``BluetoothError/init(_:)`` turns it into a typed, explained error.
public struct SystemCallError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The call, e.g. `socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP)` or `hci_send_req`.
    public let call: String
    /// The `errno` it left.
    public let errno: Int32

    /// A failure of `call` with `errno`.
    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// `<call>: errno <n>`.
    public var description: String { "\(call): errno \(errno)" }
}
