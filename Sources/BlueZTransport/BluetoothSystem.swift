/// The seam between `BlueZTransport` and the operating system: every socket, `poll(2)` and
/// libbluetooth call the module makes goes through one of these methods, so unit tests drive the
/// module with a fake and never need Bluetooth. ``LiveBluetoothSystem`` is the real one.
///
/// Methods throw ``SystemCallError`` (the call and its `errno`); callers turn that into a
/// ``BluetoothError`` with an explanation. Descriptors are plain `Int32`s owned by the caller.
public protocol BluetoothSystem: Sendable {
    /// `socket(AF_BLUETOOTH, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, BTPROTO_L2CAP)`.
    func l2capSocket() throws(SystemCallError) -> Int32
    /// `bind(2)` to a `sockaddr_l2`.
    func bind(_ socket: Int32, to address: L2CAPSocketAddress) throws(SystemCallError)
    /// `listen(2)`.
    func listen(_ socket: Int32, backlog: Int32) throws(SystemCallError)
    /// `accept(2)`, the new socket made close-on-exec and non-blocking: it and the peer's address.
    /// Throws `EAGAIN` when no connection is pending.
    func accept(_ socket: Int32) throws(SystemCallError) -> (socket: Int32, peer: L2CAPSocketAddress)
    /// `connect(2)` to a `sockaddr_l2`; a non-blocking socket throws `EINPROGRESS` first.
    func connect(_ socket: Int32, to address: L2CAPSocketAddress) throws(SystemCallError)
    /// `getsockopt(SOL_SOCKET, SO_ERROR)`: the outcome of a finished non-blocking connect (0 ok).
    func pendingError(_ socket: Int32) -> Int32
    /// `send(2)` of one datagram with `MSG_NOSIGNAL`; the count sent. Throws `EAGAIN` when full.
    func send(_ socket: Int32, _ bytes: [UInt8]) throws(SystemCallError) -> Int
    /// `recvmsg(2)` of one datagram into `capacity` octets: its bytes (empty at end of stream)
    /// and whether it was truncated (`MSG_TRUNC`). Throws `EAGAIN` when none is queued.
    func receive(_ socket: Int32, capacity: Int) throws(SystemCallError) -> (bytes: [UInt8], truncated: Bool)
    /// `poll(2)` one socket: true when ready (or hung up) within `timeout`.
    func wait(_ socket: Int32, for event: SocketWait, timeout: Duration) throws(SystemCallError) -> Bool
    /// `shutdown(SHUT_RDWR)`, waking a `poll` on another thread.
    func shutdown(_ socket: Int32)
    /// `close(2)`.
    func close(_ socket: Int32)

    /// The HCI device id of `adapter` (`hci_devid`: `hciN` or its address), or of the first
    /// controller that is up when `nil` (`hci_get_route(NULL)`).
    func hciDevice(adapter: String?) throws(SystemCallError) -> Int32
    /// `hci_open_dev`: a raw HCI socket bound to the device.
    func hciOpen(device: Int32) throws(SystemCallError) -> Int32
    /// `hci_send_req`: sends `command`, waits for its Command Complete, returns its return
    /// parameters (first octet the status).
    func hciSend(_ hci: Int32, _ command: HCICommand, timeout: Duration) throws(SystemCallError) -> [UInt8]
    /// `setsockopt(SOL_HCI, HCI_FILTER)`.
    func hciSetFilter(_ hci: Int32, _ filter: HCIEventFilter) throws(SystemCallError)
    /// The next packet from the raw HCI socket (packet type octet first), waiting up to `timeout`;
    /// `nil` on timeout.
    func hciRead(_ hci: Int32, timeout: Duration) throws(SystemCallError) -> [UInt8]?
    /// `hci_close_dev`.
    func hciClose(_ hci: Int32)
}
