import BLETransport
import Foundation

/// Where a ``LockServer`` meets its clients: accepting ATT links and publishing advertising data.
/// ``SocketFrontEnd`` serves the Unix SOCK_SEQPACKET link and the discovery folder; the CLI adds a
/// BlueZ front end (L2CAP LE on CID 4 and HCI advertising) without this module linking libbluetooth.
public protocol LockFrontEnd: AnyObject {
    /// A new connection, if one is waiting (waits up to `timeout`); nil when none came. Throws the
    /// transport's error (``BLETransport/TransportError``, or BlueZ's `BluetoothError`) when the
    /// listener fails.
    func accept(timeout: Duration) throws -> (any ATTLink)?
    /// Publishes (or replaces) the advertising data: the §1.3 AD bytes and scan response of
    /// `advertisement`. Throws the transport's error when publishing fails.
    func advertise(_ advertisement: NukiAdvertisement) throws
    /// Stops advertising and accepting.
    func stop()
    /// Where the lock can be reached, for the event stream.
    var location: String { get }
    /// A descriptor that `epoll(7)` reports readable when ``accept(timeout:)`` has a connection,
    /// or nil when the front end must be polled (``LockServer`` then wakes every 5 ms).
    var acceptDescriptor: Int32? { get }
}

extension LockFrontEnd {
    /// No descriptor: polled.
    public var acceptDescriptor: Int32? { nil }
}

/// The Unix SOCK_SEQPACKET link, advertised in the discovery folder with the real AD bytes.
public final class SocketFrontEnd: LockFrontEnd {
    let folder: DiscoveryFolder
    let address: DeviceAddress
    let listener: SeqPacketListener
    var publication: DiscoveryPublication?

    /// Opens the socket for `address` in `folder` (creating the folder). Throws ``BLETransport/TransportError``
    /// when the folder or socket cannot be made.
    public init(folder: DiscoveryFolder, address: DeviceAddress) throws {
        self.folder = folder
        self.address = address
        try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        let socketPath = folder.socketPath(address)
        unlink(socketPath)
        listener = try SeqPacketListener(path: socketPath)
    }

    deinit { stop() }

    public func accept(timeout: Duration) throws -> (any ATTLink)? {
        try listener.accept(timeout: timeout)
    }

    public func advertise(_ advertisement: NukiAdvertisement) throws {
        publication?.stop()
        publication = try folder.publish(DiscoveryRecord(
            address: address, socket: folder.socketPath(address), advertisingData: advertisement.advertisingData,
            scanResponse: advertisement.scanResponse, pid: getpid()))
    }

    public func stop() {
        publication?.stop()
        publication = nil
        listener.close()
    }

    public var location: String { "\(address), socket \(socketPath)" }

    /// The listening socket.
    public var acceptDescriptor: Int32? { listener.pollDescriptor }

    /// The listening socket's path in the discovery folder.
    public var socketPath: String { folder.socketPath(address) }
}
