import BLETransport
import Foundation
import NukiProfile

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
    /// Publishes (or replaces) raw advertising data and scan response, as they are: the hostile
    /// lock's advertising mutations (issue 14 item 5). Throws the transport's error; the default
    /// throws ``BLETransport/TransportError`` `invalidAdvertisingData` (this front end cannot).
    func advertise(advertisingData: [UInt8], scanResponse: [UInt8]) throws
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

    /// Raw advertising is not supported here.
    public func advertise(advertisingData: [UInt8], scanResponse: [UInt8]) throws {
        throw TransportError(.invalidAdvertisingData, "this front end advertises only well-formed Nuki advertisements")
    }
}

/// The Unix SOCK_SEQPACKET link, advertised in the discovery folder with the real AD bytes.
public final class SocketFrontEnd: LockFrontEnd {
    let folder: DiscoveryFolder
    let address: DeviceAddress
    let listener: SeqPacketListener
    var publication: DiscoveryPublication?
    /// The `flock` held on `<address>.lock` in the folder while this front end serves.
    private var addressLock: Int32 = -1

    /// Opens the socket for `address` in `folder`: creates the folder with mode 0700 and checks it
    /// (``BLETransport/DiscoveryFolder/prepare(owner:)``), takes an exclusive `flock` on
    /// `<folder>/<address>.lock` for as long as it serves, and only then replaces a stale socket
    /// file. A second lock with the same address in the same folder (the same state file under
    /// another name, a hard link, a copy) is refused and never takes over the first one's socket.
    /// Throws ``BLETransport/TransportError``: `unsafeFolder`, `inUse`, or `system` when the folder,
    /// lock or socket cannot be made.
    public init(folder: DiscoveryFolder, address: DeviceAddress) throws {
        self.folder = folder
        self.address = address
        try folder.prepare()
        let lockPath = folder.path + "/" + address.fileStem + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let error = errno
            throw TransportError(.system, "cannot open \(lockPath): \(String(cString: strerror(error)))", errno: error)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw TransportError(
                .inUse,
                "another lock already serves \(address) in discovery folder \(folder.path) (it holds \(lockPath)): stop it first, or serve this one with another --state or --devices-dir")
        }
        let socketPath = folder.socketPath(address)
        unlink(socketPath)
        do {
            listener = try SeqPacketListener(path: socketPath)
        } catch {
            close(fd)
            throw error
        }
        addressLock = fd
    }

    deinit { stop() }

    public func accept(timeout: Duration) throws -> (any ATTLink)? {
        try listener.accept(timeout: timeout)
    }

    public func advertise(_ advertisement: NukiAdvertisement) throws {
        publication?.stop()
        publication = try folder.publish(DiscoveryRecord(
            address: address, socket: folder.socketPath(address), advertisingData: advertisement.advertisingData,
            scanResponse: advertisement.scanResponse, pid: getpid(), startTime: Self.startTime))
    }

    /// Writes a discovery record with these AD bytes, whatever they hold (at most 255 octets each:
    /// what ``BLETransport/DiscoveryRecord`` carries; longer data is cut there).
    public func advertise(advertisingData: [UInt8], scanResponse: [UInt8]) throws {
        publication?.stop()
        publication = try folder.publish(DiscoveryRecord(
            address: address, socket: folder.socketPath(address), advertisingData: Array(advertisingData.prefix(255)),
            scanResponse: Array(scanResponse.prefix(255)), pid: getpid(), startTime: Self.startTime))
    }

    public func stop() {
        publication?.stop()
        publication = nil
        listener.close()
        if addressLock >= 0 {
            close(addressLock)
            addressLock = -1
        }
    }

    public var location: String { "\(address), socket \(socketPath)" }

    /// This process's start time, for its discovery records (``BLETransport/ProcessStartTime``).
    static let startTime = ProcessStartTime.of(getpid())

    /// The listening socket.
    public var acceptDescriptor: Int32? { listener.pollDescriptor }

    /// The listening socket's path in the discovery folder.
    public var socketPath: String { folder.socketPath(address) }
}
