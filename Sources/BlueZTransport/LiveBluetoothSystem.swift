import BLETransport
internal import CBlueZ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The real ``BluetoothSystem``: Linux sockets through Glibc and libbluetooth's HCI helpers.
///
/// libbluetooth is GPL-2.0-or-later: a binary linking this module carries the GPL (docs/architecture.md §3).
public struct LiveBluetoothSystem: BluetoothSystem {
    /// The live system.
    public init() {}

    public func l2capSocket() throws(SystemCallError) -> Int32 {
        let type = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = Glibc.socket(AF_BLUETOOTH, type, BTPROTO_L2CAP)
        guard fd >= 0 else { throw SystemCallError("socket(AF_BLUETOOTH, SOCK_SEQPACKET, BTPROTO_L2CAP)", errno: errno) }
        return fd
    }

    public func bind(_ socket: Int32, to address: L2CAPSocketAddress) throws(SystemCallError) {
        var raw = Self.kernelAddress(address)
        let result = withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, socklen_t(MemoryLayout<sockaddr_l2>.size)) }
        }
        guard result == 0 else { throw SystemCallError("bind \(address)", errno: errno) }
    }

    public func listen(_ socket: Int32, backlog: Int32) throws(SystemCallError) {
        guard Glibc.listen(socket, backlog) == 0 else { throw SystemCallError("listen", errno: errno) }
    }

    public func accept(_ socket: Int32) throws(SystemCallError) -> (socket: Int32, peer: L2CAPSocketAddress) {
        var raw = sockaddr_l2()
        var length = socklen_t(MemoryLayout<sockaddr_l2>.size)
        let fd = withUnsafeMutablePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(socket, $0, &length) }
        }
        guard fd >= 0 else { throw SystemCallError("accept", errno: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return (fd, Self.address(raw))
    }

    public func connect(_ socket: Int32, to address: L2CAPSocketAddress) throws(SystemCallError) {
        var raw = Self.kernelAddress(address)
        let result = withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_l2>.size)) }
        }
        guard result == 0 else { throw SystemCallError("connect \(address)", errno: errno) }
    }

    public func pendingError(_ socket: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return errno }
        return value
    }

    public func send(_ socket: Int32, _ bytes: [UInt8]) throws(SystemCallError) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n >= 0 else { throw SystemCallError("send", errno: errno) }
        return n
    }

    public func receive(_ socket: Int32, capacity: Int) throws(SystemCallError) -> (bytes: [UInt8], truncated: Bool) {
        var buffer = [UInt8](repeating: 0, count: max(1, capacity))
        var flags: Int32 = 0
        let n = buffer.withUnsafeMutableBytes { raw -> Int in
            var vector = iovec(iov_base: raw.baseAddress, iov_len: raw.count)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer -> Int in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                let received = recvmsg(socket, &message, 0)
                flags = message.msg_flags
                return received
            }
        }
        guard n >= 0 else { throw SystemCallError("recvmsg", errno: errno) }
        let count = min(n, buffer.count)
        return (Array(buffer[0..<count]), flags & Int32(MSG_TRUNC) != 0)
    }

    public func wait(_ socket: Int32, for event: SocketWait, timeout: Duration) throws(SystemCallError) -> Bool {
        let events = event == .readable ? Int16(POLLIN) : Int16(POLLOUT)
        var entry = pollfd(fd: socket, events: events, revents: 0)
        while true {
            let n = poll(&entry, 1, timeout.pollMilliseconds)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("poll", errno: errno)
            }
            return n > 0
        }
    }

    public func shutdown(_ socket: Int32) { _ = Glibc.shutdown(socket, Int32(SHUT_RDWR)) }

    public func close(_ socket: Int32) { _ = Glibc.close(socket) }

    public func hciDevice(adapter: String?) throws(SystemCallError) -> Int32 {
        let id: Int32
        if let adapter {
            id = hci_devid(adapter)
        } else {
            id = hci_get_route(nil)
        }
        guard id >= 0 else {
            // hci_get_route leaves errno ENODEV when no controller is up; keep a sensible default.
            let number = errno == 0 ? ENODEV : errno
            throw SystemCallError(adapter.map { "hci_devid(\($0))" } ?? "hci_get_route", errno: number)
        }
        return id
    }

    public func hciOpen(device: Int32) throws(SystemCallError) -> Int32 {
        let fd = hci_open_dev(device)
        guard fd >= 0 else { throw SystemCallError("hci_open_dev(hci\(device))", errno: errno) }
        return fd
    }

    public func hciSend(_ hci: Int32, _ command: HCICommand, timeout: Duration) throws(SystemCallError) -> [UInt8] {
        var parameters = command.parameters
        var returned = [UInt8](repeating: 0, count: 255)
        let (result, count) = parameters.withUnsafeMutableBytes { cparam in
            returned.withUnsafeMutableBytes { rparam -> (Int32, Int32) in
                var request = hci_request()
                request.ogf = UInt16(command.ogf)
                request.ocf = command.ocf
                request.event = EVT_CMD_COMPLETE
                request.cparam = cparam.baseAddress
                request.clen = Int32(cparam.count)
                request.rparam = rparam.baseAddress
                request.rlen = Int32(rparam.count)
                let result = hci_send_req(hci, &request, timeout.pollMilliseconds)
                return (result, request.rlen)
            }
        }
        guard result >= 0 else { throw SystemCallError("hci_send_req(\(command))", errno: errno) }
        return Array(returned.prefix(max(0, Int(count))))
    }

    public func hciSetFilter(_ hci: Int32, _ filter: HCIEventFilter) throws(SystemCallError) {
        var raw = hci_filter()
        raw.type_mask = filter.packetTypeMask
        raw.event_mask = (filter.eventMask.low, filter.eventMask.high)
        raw.opcode = filter.opcode
        guard setsockopt(hci, SOL_HCI, HCI_FILTER, &raw, socklen_t(MemoryLayout<hci_filter>.size)) == 0 else {
            throw SystemCallError("setsockopt(SOL_HCI, HCI_FILTER)", errno: errno)
        }
    }

    public func hciRead(_ hci: Int32, timeout: Duration) throws(SystemCallError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: Int(HCI_MAX_EVENT_SIZE) + 1)
        while true {
            guard try wait(hci, for: .readable, timeout: timeout) else { return nil }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(hci, $0.baseAddress, $0.count) }
            if n >= 0 { return Array(buffer[0..<min(n, buffer.count)]) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SystemCallError("read(hci)", errno: errno)
            }
        }
    }

    public func hciClose(_ hci: Int32) { _ = hci_close_dev(hci) }

    // MARK: Conversions

    /// The kernel structure for `address`: little-endian PSM and CID, reversed address octets.
    static func kernelAddress(_ address: L2CAPSocketAddress) -> sockaddr_l2 {
        var raw = sockaddr_l2()
        raw.l2_family = sa_family_t(AF_BLUETOOTH)
        raw.l2_psm = address.psm.littleEndian
        let b = address.bdaddrOctets
        if b.count == 6 { raw.l2_bdaddr = bdaddr_t(b: (b[0], b[1], b[2], b[3], b[4], b[5])) }
        raw.l2_cid = address.cid.littleEndian
        raw.l2_bdaddr_type = address.addressType
        return raw
    }

    /// The Swift fields of a kernel `sockaddr_l2`.
    static func address(_ raw: sockaddr_l2) -> L2CAPSocketAddress {
        let b = raw.l2_bdaddr.b
        let octets = [b.5, b.4, b.3, b.2, b.1, b.0]
        let address = octets.allSatisfy { $0 == 0 } ? nil : DeviceAddress(octets: octets)
        return L2CAPSocketAddress(psm: UInt16(littleEndian: raw.l2_psm), address: address, cid: UInt16(littleEndian: raw.l2_cid), addressType: raw.l2_bdaddr_type)
    }

    /// The octets of the kernel structure for `address`.
    static func layout(of address: L2CAPSocketAddress) -> [UInt8] {
        let raw = kernelAddress(address)
        var bytes = withUnsafeBytes(of: raw) { Array($0) }
        // Octets after l2_bdaddr_type (offset 12) are padding: report them as the zeros we mean.
        for index in bytes.indices where index > 12 { bytes[index] = 0 }
        return bytes
    }
}
