import BLETransport
import Synchronization

/// A raw HCI socket on one controller, shared by ``HCIAdvertiser`` and ``HCIScanner``: finds the
/// device, opens it, sends commands and checks the Command Complete status (Bluetooth Core 5.4,
/// Vol 4, Part E, §7.7.14), closes once.
final class HCIController: Sendable {
    let system: any BluetoothSystem
    let device: Int32
    let socket: Int32
    let commandTimeout: Duration
    private let closed = Atomic<Bool>(false)

    init(adapter: String?, system: any BluetoothSystem, commandTimeout: Duration) throws(BluetoothError) {
        self.system = system
        self.commandTimeout = commandTimeout
        do {
            device = try system.hciDevice(adapter: adapter)
            socket = try system.hciOpen(device: device)
        } catch {
            throw BluetoothError(error)
        }
    }

    deinit { close() }

    /// Sends `command`; ``BluetoothError/Code/controllerRejected`` on a non-zero status,
    /// ``BluetoothError/Code/malformedEvent`` when the Command Complete carried no status.
    func send(_ command: HCICommand) throws(BluetoothError) {
        guard !closed.load(ordering: .acquiring) else { throw BluetoothError(.closed, "hci\(device) is closed") }
        let returned: [UInt8]
        do {
            returned = try system.hciSend(socket, command, timeout: commandTimeout)
        } catch {
            throw BluetoothError(error)
        }
        guard let status = returned.first else {
            throw BluetoothError(.malformedEvent, "Command Complete for \(command) without a status")
        }
        guard status == 0 else { throw BluetoothError.rejected(command.description, status: status) }
    }

    /// The controller's public address (HCI_Read_BD_ADDR, §7.4.6): the 6 octets after the status,
    /// least significant first on the wire. ``BluetoothError/Code/malformedEvent`` when the
    /// Command Complete is shorter than 7 octets.
    func address() throws(BluetoothError) -> DeviceAddress {
        guard !closed.load(ordering: .acquiring) else { throw BluetoothError(.closed, "hci\(device) is closed") }
        let returned: [UInt8]
        do {
            returned = try system.hciSend(socket, .readBDAddress, timeout: commandTimeout)
        } catch {
            throw BluetoothError(error)
        }
        guard let status = returned.first else {
            throw BluetoothError(.malformedEvent, "Command Complete for \(HCICommand.readBDAddress) without a status")
        }
        guard status == 0 else { throw BluetoothError.rejected(HCICommand.readBDAddress.description, status: status) }
        guard returned.count >= 7, let address = DeviceAddress(octets: returned[1..<7].reversed()) else {
            throw BluetoothError(.malformedEvent, "Read BD_ADDR returned \(returned.count) octets, expected 7")
        }
        return address
    }

    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        system.hciClose(socket)
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }
}
