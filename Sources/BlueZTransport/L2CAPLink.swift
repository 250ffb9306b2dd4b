import BLETransport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An ``ATTLink`` over a BlueZ L2CAP LE socket on the Attribute Protocol fixed channel, CID 0x0004
/// (Bluetooth Core 5.4, Vol 3, Part A, §2.1; Vol 3, Part F, §3.2.11): `SOCK_SEQPACKET`, one ATT PDU
/// per L2CAP SDU, boundaries kept — the same semantics as ``SeqPacketLink``, so the GATT server and
/// client run on it unchanged.
///
/// The socket is non-blocking; ``receive(timeout:)`` waits with `poll(2)` and reads into a buffer
/// one octet larger than ``maximumPDUSize``: a longer SDU is dropped whole and reported as
/// ``TransportError/Code/pduTooLarge``; a zero-length read is the peer disconnecting. ``close()``
/// shuts the socket down; the descriptor is released on deinit. `ATTLink` methods throw
/// ``TransportError`` (see ``BluetoothError/transportError``); making a link throws
/// ``BluetoothError``.
///
/// Make one with ``connect(to:addressType:from:adapterAddressType:timeout:maximumPDUSize:system:)``
/// (central/client role) or ``L2CAPListener/accept(timeout:)`` (peripheral/lock role).
public final class L2CAPLink: ATTLink {
    private let system: any BluetoothSystem
    private let socket: Int32
    private let closed = Atomic<Bool>(false)
    /// The peer's address and type as the kernel reported them.
    public let peer: L2CAPSocketAddress
    /// The longest PDU sent or accepted.
    public let maximumPDUSize: Int
    /// How long ``send(_:)`` waits for room in the socket buffer.
    public let sendTimeout: Duration

    init(system: any BluetoothSystem, socket: Int32, peer: L2CAPSocketAddress, maximumPDUSize: Int, sendTimeout: Duration = .seconds(5)) {
        self.system = system
        self.socket = socket
        self.peer = peer
        self.maximumPDUSize = max(1, maximumPDUSize)
        self.sendTimeout = sendTimeout
    }

    deinit { system.close(socket) }

    /// Connects to the ATT channel of the LE device `address`: opens an L2CAP socket, binds it
    /// to CID 4 on `adapter` (`nil`: any adapter) — without that bind the kernel answers EINVAL —
    /// then connects to PSM 0 / CID 4 at `address` of `addressType`, waiting up to `timeout`.
    /// Throws ``BluetoothError/Code/noBluetooth`` where the kernel has no Bluetooth,
    /// ``BluetoothError/Code/timeout`` when the peer does not answer in time.
    public static func connect(
        to address: DeviceAddress, addressType: LEAddressType = .public,
        from adapter: DeviceAddress? = nil, adapterAddressType: LEAddressType = .public,
        timeout: Duration = .seconds(10), maximumPDUSize: Int = 517,
        system: any BluetoothSystem = LiveBluetoothSystem()
    ) throws(BluetoothError) -> L2CAPLink {
        let socket: Int32
        do { socket = try system.l2capSocket() } catch { throw BluetoothError(error) }
        let remote = L2CAPSocketAddress(attributeProtocolAt: address, type: addressType)
        do throws(SystemCallError) {
            try system.bind(socket, to: L2CAPSocketAddress(attributeProtocolAt: adapter, type: adapterAddressType))
            try connectWaiting(system, socket, remote, timeout)
        } catch {
            system.close(socket)
            throw BluetoothError(error)
        }
        return L2CAPLink(system: system, socket: socket, peer: remote, maximumPDUSize: maximumPDUSize)
    }

    /// A non-blocking connect: `EINPROGRESS`, then wait for writable and read `SO_ERROR`.
    private static func connectWaiting(_ system: any BluetoothSystem, _ socket: Int32, _ remote: L2CAPSocketAddress, _ timeout: Duration) throws(SystemCallError) {
        do {
            try system.connect(socket, to: remote)
            return
        } catch where error.errno == EINPROGRESS || error.errno == EAGAIN {
            // Pending: wait below.
        }
        guard try system.wait(socket, for: .writable, timeout: timeout) else {
            throw SystemCallError("connect \(remote): no answer within \(timeout)", errno: ETIMEDOUT)
        }
        let outcome = system.pendingError(socket)
        guard outcome == 0 else { throw SystemCallError("connect \(remote)", errno: outcome) }
    }

    /// Sends `pdu` as one SDU, waiting up to ``sendTimeout`` for buffer space.
    public func send(_ pdu: [UInt8]) throws(TransportError) {
        guard !closed.load(ordering: .acquiring) else { throw TransportError(.closed, "the L2CAP link is closed") }
        guard !pdu.isEmpty else { throw TransportError(.emptyPDU, "ATT has no empty PDU") }
        guard pdu.count <= maximumPDUSize else { throw TransportError(.pduTooLarge, "\(pdu.count) octets > \(maximumPDUSize)") }
        while true {
            let sent: Int
            do {
                sent = try system.send(socket, pdu)
            } catch {
                switch error.errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    let ready: Bool
                    do { ready = try system.wait(socket, for: .writable, timeout: sendTimeout) } catch { throw BluetoothError(error).transportError }
                    guard ready else { throw TransportError(.timeout, "no socket buffer space within \(sendTimeout)") }
                    continue
                default: throw BluetoothError(error).transportError
                }
            }
            guard sent == pdu.count else { throw TransportError(.system, "short SDU send: \(sent) of \(pdu.count)") }
            return
        }
    }

    /// The next SDU, waiting up to `timeout`; `nil` on timeout.
    public func receive(timeout: Duration) throws(TransportError) -> [UInt8]? {
        var waited = false
        while true {
            guard !closed.load(ordering: .acquiring) else { throw TransportError(.closed, "the L2CAP link is closed") }
            let datagram: (bytes: [UInt8], truncated: Bool)
            do {
                datagram = try system.receive(socket, capacity: maximumPDUSize + 1)
            } catch {
                switch error.errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    if waited { return nil }
                    let ready: Bool
                    do { ready = try system.wait(socket, for: .readable, timeout: timeout) } catch { throw BluetoothError(error).transportError }
                    guard ready else { return nil }
                    waited = true
                    continue
                default: throw BluetoothError(error).transportError
                }
            }
            if datagram.truncated || datagram.bytes.count > maximumPDUSize {
                throw TransportError(.pduTooLarge, "an SDU longer than \(maximumPDUSize) octets; dropped")
            }
            guard !datagram.bytes.isEmpty else { throw TransportError(.closed, "the peer disconnected") }
            return datagram.bytes
        }
    }

    /// Shuts the socket down both ways (the kernel disconnects the LE link when it was the last
    /// user). Idempotent.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        system.shutdown(socket)
    }
}
