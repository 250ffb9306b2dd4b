import BLETransport
import BlueZTransport
import Testing
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A scripted ``BluetoothSystem``: records every call, fails calls on demand with an errno,
/// answers HCI commands with queued return parameters and HCI reads with queued packets.
final class FakeBluetoothSystem: BluetoothSystem {
    struct State {
        var calls: [String] = []
        var failures: [String: Int32] = [:]
        var nextSocket: Int32 = 100
        var bound: [L2CAPSocketAddress] = []
        var connected: [L2CAPSocketAddress] = []
        var connectErrno: Int32 = 0
        var pendingError: Int32 = 0
        var waitResult = true
        var pendingAccepts: [L2CAPSocketAddress] = []
        var inbound: [(bytes: [UInt8], truncated: Bool)] = []
        var sent: [[UInt8]] = []
        var commands: [HCICommand] = []
        var commandReplies: [[UInt8]] = []
        var filters: [HCIEventFilter] = []
        var events: [[UInt8]] = []
        var closed: [Int32] = []
    }

    let state = Mutex(State())

    func update(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }
    var snapshot: State { state.withLock { $0 } }

    private func record(_ name: String) throws(SystemCallError) {
        let failure: Int32? = state.withLock { s in
            s.calls.append(name)
            return s.failures[name]
        }
        if let failure { throw SystemCallError(name, errno: failure) }
    }

    private func newSocket() -> Int32 {
        state.withLock { s in
            s.nextSocket += 1
            return s.nextSocket
        }
    }

    func l2capSocket() throws(SystemCallError) -> Int32 {
        try record("socket")
        return newSocket()
    }

    func bind(_ socket: Int32, to address: L2CAPSocketAddress) throws(SystemCallError) {
        try record("bind")
        update { $0.bound.append(address) }
    }

    func listen(_ socket: Int32, backlog: Int32) throws(SystemCallError) { try record("listen") }

    func accept(_ socket: Int32) throws(SystemCallError) -> (socket: Int32, peer: L2CAPSocketAddress) {
        try record("accept")
        let peer: L2CAPSocketAddress? = state.withLock { $0.pendingAccepts.isEmpty ? nil : $0.pendingAccepts.removeFirst() }
        guard let peer else { throw SystemCallError("accept", errno: EAGAIN) }
        return (newSocket(), peer)
    }

    func connect(_ socket: Int32, to address: L2CAPSocketAddress) throws(SystemCallError) {
        try record("connect")
        let number: Int32 = state.withLock { s in
            s.connected.append(address)
            return s.connectErrno
        }
        if number != 0 { throw SystemCallError("connect", errno: number) }
    }

    func pendingError(_ socket: Int32) -> Int32 { state.withLock { $0.pendingError } }

    func send(_ socket: Int32, _ bytes: [UInt8]) throws(SystemCallError) -> Int {
        try record("send")
        update { $0.sent.append(bytes) }
        return bytes.count
    }

    func receive(_ socket: Int32, capacity: Int) throws(SystemCallError) -> (bytes: [UInt8], truncated: Bool) {
        try record("receive")
        let next: (bytes: [UInt8], truncated: Bool)? = state.withLock { $0.inbound.isEmpty ? nil : $0.inbound.removeFirst() }
        guard let next else { throw SystemCallError("recvmsg", errno: EAGAIN) }
        guard next.bytes.count <= capacity else { return (Array(next.bytes.prefix(capacity)), true) }
        return next
    }

    func wait(_ socket: Int32, for event: SocketWait, timeout: Duration) throws(SystemCallError) -> Bool {
        try record("wait")
        return state.withLock { s in
            switch event {
            case .readable: return s.waitResult && (!s.inbound.isEmpty || !s.pendingAccepts.isEmpty)
            case .writable: return s.waitResult
            }
        }
    }

    func shutdown(_ socket: Int32) { update { $0.calls.append("shutdown") } }
    func close(_ socket: Int32) { update { $0.closed.append(socket) } }

    func hciDevice(adapter: String?) throws(SystemCallError) -> Int32 {
        try record("hciDevice")
        return 0
    }

    func hciOpen(device: Int32) throws(SystemCallError) -> Int32 {
        try record("hciOpen")
        return newSocket()
    }

    func hciSend(_ hci: Int32, _ command: HCICommand, timeout: Duration) throws(SystemCallError) -> [UInt8] {
        try record("hciSend")
        return state.withLock { s in
            s.commands.append(command)
            return s.commandReplies.isEmpty ? [0x00] : s.commandReplies.removeFirst()
        }
    }

    func hciSetFilter(_ hci: Int32, _ filter: HCIEventFilter) throws(SystemCallError) {
        try record("hciSetFilter")
        update { $0.filters.append(filter) }
    }

    func hciRead(_ hci: Int32, timeout: Duration) throws(SystemCallError) -> [UInt8]? {
        try record("hciRead")
        return state.withLock { $0.events.isEmpty ? nil : $0.events.removeFirst() }
    }

    func hciClose(_ hci: Int32) { update { $0.closed.append(hci) } }
}

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var pending: Character?
    for c in text where c.isHexDigit {
        if let high = pending {
            if let value = UInt8(String([high, c]), radix: 16) { bytes.append(value) }
            pending = nil
        } else {
            pending = c
        }
    }
    return bytes
}

func bluetoothError<T>(_ body: () throws(BluetoothError) -> T) -> BluetoothError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

func address(_ text: String) throws -> DeviceAddress {
    try #require(DeviceAddress(string: text))
}
