import BLETransport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The lock (peripheral) side of the ATT bearer over real Bluetooth: an L2CAP LE socket bound to
/// the Attribute Protocol fixed channel, CID 0x0004 (Bluetooth Core 5.4, Vol 3, Part A, §2.1), on
/// one adapter address, listening; each LE connection a central makes while we advertise
/// (``HCIAdvertiser``) is accepted as an ``L2CAPLink``.
///
/// **bluetoothd.** The kernel hands a new LE connection's ATT channel to the first socket
/// listening on CID 4. bluetoothd runs its own GATT server there, so for the lock role stop it
/// (`systemctl stop bluetooth`) or turn its GATT server off; otherwise binding fails with
/// ``BluetoothError/Code/addressInUse`` or connections go to bluetoothd. Raw HCI and L2CAP need no
/// bluetoothd. Privileges: root, or `CAP_NET_RAW`/`CAP_NET_ADMIN` for HCI.
///
/// Where the kernel has no Bluetooth (`EAFNOSUPPORT`), the initialiser throws
/// ``BluetoothError/Code/noBluetooth``: use the Unix socket link (``SeqPacketListener``) or the VM
/// lane. Through libbluetooth this module is GPL-2.0-or-later when distributed.
public final class L2CAPListener: Sendable {
    private let system: any BluetoothSystem
    private let socket: Int32
    private let closed = Atomic<Bool>(false)
    /// The bound local address (`nil` address: every adapter).
    public let local: L2CAPSocketAddress
    /// The ``ATTLink/maximumPDUSize`` of accepted links.
    public let maximumPDUSize: Int

    /// Binds CID 4 on `adapter` (`nil`: any adapter) as `addressType` and listens.
    public init(
        adapter: DeviceAddress? = nil, addressType: LEAddressType = .public, backlog: Int32 = 8,
        maximumPDUSize: Int = 517, system: any BluetoothSystem = LiveBluetoothSystem()
    ) throws(BluetoothError) {
        let socket: Int32
        do { socket = try system.l2capSocket() } catch { throw BluetoothError(error) }
        let local = L2CAPSocketAddress(attributeProtocolAt: adapter, type: addressType)
        do {
            try system.bind(socket, to: local)
            try system.listen(socket, backlog: backlog)
        } catch {
            system.close(socket)
            throw BluetoothError(error)
        }
        self.system = system
        self.socket = socket
        self.local = local
        self.maximumPDUSize = maximumPDUSize
    }

    deinit { system.close(socket) }

    /// The next connection, waiting up to `timeout`; `nil` on timeout. The link's
    /// ``L2CAPLink/peer`` holds the central's address and type.
    public func accept(timeout: Duration) throws(BluetoothError) -> L2CAPLink? {
        var waited = false
        while true {
            guard !closed.load(ordering: .acquiring) else { throw BluetoothError(.closed, "the listener is closed") }
            do {
                let accepted = try system.accept(socket)
                return L2CAPLink(system: system, socket: accepted.socket, peer: accepted.peer, maximumPDUSize: maximumPDUSize)
            } catch {
                switch error.errno {
                case EINTR, ECONNABORTED: continue
                case EAGAIN, EWOULDBLOCK:
                    if waited { return nil }
                    let ready: Bool
                    do { ready = try system.wait(socket, for: .readable, timeout: timeout) } catch { throw BluetoothError(error) }
                    guard ready else { return nil }
                    waited = true
                default: throw BluetoothError(error)
                }
            }
        }
    }

    /// Stops listening. Idempotent.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        system.shutdown(socket)
    }
}
