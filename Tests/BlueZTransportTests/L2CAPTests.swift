import BLETransport
import BlueZTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// sockaddr_l2 fields for bind/connect, and the link's one-PDU-per-SDU behaviour, on the fake seam.
@Suite struct L2CAPTests {
    @Test func sockaddrL2KernelLayout() throws {
        let at = L2CAPSocketAddress(attributeProtocolAt: try address("AA:BB:CC:DD:EE:FF"), type: .public)
        // l2_family 31 | l2_psm 0 | l2_bdaddr reversed | l2_cid 4 LE | l2_bdaddr_type 1 | padding
        #expect(at.kernelLayout == hex("1F 00  00 00  FF EE DD CC BB AA  04 00  01  00"))
        let any = L2CAPSocketAddress(attributeProtocolAt: nil, type: .random)
        #expect(any.kernelLayout == hex("1F 00  00 00  00 00 00 00 00 00  04 00  02  00"))
        let psm = L2CAPSocketAddress(psm: 0x0080, address: nil, cid: 0x0040, addressType: 0)
        #expect(psm.kernelLayout == hex("1F 00  80 00  00 00 00 00 00 00  40 00  00  00"))
    }

    @Test func listenerBindsCID4OnTheAdapterAndListens() throws {
        let fake = FakeBluetoothSystem()
        let adapter = try address("00:1A:7D:DA:71:13")
        let listener = try L2CAPListener(adapter: adapter, system: fake)
        let bound = try #require(fake.snapshot.bound.first)
        #expect(bound.cid == 4 && bound.psm == 0 && bound.addressType == 0x01 && bound.address == adapter)
        #expect(fake.snapshot.calls == ["socket", "bind", "listen"])
        #expect(listener.local == bound)
        let anyAdapter = try L2CAPListener(addressType: .random, system: fake)
        #expect(anyAdapter.local.address == nil && anyAdapter.local.addressType == 0x02 && anyAdapter.local.cid == 4)
    }

    @Test func acceptGivesALinkAndThePeer() throws {
        let fake = FakeBluetoothSystem()
        let listener = try L2CAPListener(system: fake)
        #expect(try listener.accept(timeout: .zero) == nil)
        let phone = L2CAPSocketAddress(attributeProtocolAt: try address("5A:11:22:33:44:55"), type: .random)
        fake.update { $0.pendingAccepts = [phone] }
        let link = try #require(try listener.accept(timeout: .seconds(1)))
        #expect(link.peer == phone)
        #expect(link.peer.leAddressType == .random)
        listener.close()
        #expect(bluetoothError { () throws(BluetoothError) in try listener.accept(timeout: .zero) }?.code == .closed)
    }

    /// A client binds CID 4 first (else the kernel answers EINVAL), then connects to PSM 0 / CID 4.
    @Test func connectBindsCID4ThenConnects() throws {
        let fake = FakeBluetoothSystem()
        let lock = try address("C4:5B:BE:00:00:01")
        let adapter = try address("00:1A:7D:DA:71:13")
        let link = try L2CAPLink.connect(to: lock, addressType: .random, from: adapter, system: fake)
        let state = fake.snapshot
        #expect(state.calls == ["socket", "bind", "connect"])
        let bound = try #require(state.bound.first)
        #expect(bound == L2CAPSocketAddress(psm: 0, address: adapter, cid: 4, addressType: 0x01))
        let remote = try #require(state.connected.first)
        #expect(remote == L2CAPSocketAddress(psm: 0, address: lock, cid: 4, addressType: 0x02))
        #expect(link.peer == remote)
    }

    @Test func nonBlockingConnectWaitsAndReadsTheOutcome() throws {
        let lock = try address("C4:5B:BE:00:00:01")
        let refused = FakeBluetoothSystem()
        refused.update {
            $0.connectErrno = EINPROGRESS
            $0.pendingError = ECONNREFUSED
        }
        let error = bluetoothError { () throws(BluetoothError) in try L2CAPLink.connect(to: lock, system: refused) }
        #expect(error?.code == .unreachable)
        #expect(refused.snapshot.closed == [101])

        let silent = FakeBluetoothSystem()
        silent.update {
            $0.connectErrno = EINPROGRESS
            $0.waitResult = false
        }
        #expect(bluetoothError { () throws(BluetoothError) in try L2CAPLink.connect(to: lock, timeout: .milliseconds(1), system: silent) }?.code == .timeout)

        let fine = FakeBluetoothSystem()
        fine.update { $0.connectErrno = EINPROGRESS }
        _ = try L2CAPLink.connect(to: lock, system: fine)
        #expect(fine.snapshot.calls == ["socket", "bind", "connect", "wait"])

        let unbound = FakeBluetoothSystem()
        unbound.update { $0.connectErrno = EINVAL }
        #expect(bluetoothError { () throws(BluetoothError) in try L2CAPLink.connect(to: lock, system: unbound) }?.code == .invalidArgument)
    }

    @Test func onePDUPerSDU() throws {
        let fake = FakeBluetoothSystem()
        let link = try L2CAPLink.connect(to: try address("C4:5B:BE:00:00:01"), maximumPDUSize: 23, system: fake)
        try link.send(hex("02 F7 00"))
        try link.send(hex("13"))
        #expect(fake.snapshot.sent == [hex("02 F7 00"), hex("13")])
        #expect(transportError { () throws(TransportError) in try link.send([]) }?.code == .emptyPDU)
        #expect(transportError { () throws(TransportError) in try link.send([UInt8](repeating: 1, count: 24)) }?.code == .pduTooLarge)

        fake.update { $0.inbound = [(hex("03 17 00"), false), ([UInt8](repeating: 7, count: 40), false), (hex("1E"), false)] }
        #expect(try link.receive(timeout: .seconds(1)) == hex("03 17 00"))
        // 40 octets into a 24-octet buffer: truncated, reported, dropped whole; the next one intact.
        #expect(transportError { () throws(TransportError) in try link.receive(timeout: .seconds(1)) }?.code == .pduTooLarge)
        #expect(try link.receive(timeout: .seconds(1)) == hex("1E"))
        #expect(try link.receive(timeout: .zero) == nil)

        fake.update { $0.inbound = [([], false)] }
        #expect(transportError { () throws(TransportError) in try link.receive(timeout: .seconds(1)) }?.code == .closed)
        link.close()
        #expect(transportError { () throws(TransportError) in try link.send(hex("13")) }?.code == .closed)
        #expect(fake.snapshot.calls.last == "shutdown")
    }

    @Test func sendWaitsForRoomAndMapsErrors() throws {
        let fake = FakeBluetoothSystem()
        let link = try L2CAPLink.connect(to: try address("C4:5B:BE:00:00:01"), system: fake)
        fake.update { $0.failures["send"] = ECONNRESET }
        #expect(transportError { () throws(TransportError) in try link.send(hex("13")) }?.code == .closed)
        fake.update { $0.failures["send"] = EAGAIN; $0.waitResult = false }
        #expect(transportError { () throws(TransportError) in try link.send(hex("13")) }?.code == .timeout)
        fake.update { $0.failures["receive"] = ENOTCONN }
        #expect(transportError { () throws(TransportError) in try link.receive(timeout: .zero) }?.code == .closed)
    }
}

func transportError<T>(_ body: () throws(TransportError) -> T) -> TransportError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
