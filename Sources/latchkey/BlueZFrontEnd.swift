import BLETransport
import BlueZTransport
import Foundation
import LockEmulator

/// The lock on a real controller: ATT links accepted on L2CAP LE CID 4 and advertising through HCI
/// (libbluetooth, GPL-2.0-or-later: linked by the CLI, not by the runtime library). The lock role
/// needs bluetoothd stopped or its GATT server off (README, "Real Bluetooth").
final class BlueZFrontEnd: LockFrontEnd {
    let adapter: String
    let listener: L2CAPListener
    let advertiser: HCIAdvertiser
    var advertising = false

    /// Opens the L2CAP listener and the HCI device `adapter` (e.g. `hci0`). Throws ``BluetoothError``
    /// (on a machine without Bluetooth: "no Bluetooth on this machine …").
    init(adapter: String) throws {
        self.adapter = adapter
        listener = try L2CAPListener()
        advertiser = try HCIAdvertiser(adapter: adapter)
    }

    func accept(timeout: Duration) throws -> (any ATTLink)? {
        try listener.accept(timeout: timeout)
    }

    func advertise(_ advertisement: NukiAdvertisement) throws {
        if advertising {
            try advertiser.update(advertisement)
        } else {
            try advertiser.advertise(advertisement, parameters: try AdvertisingParameters())
            advertising = true
        }
    }

    func stop() {
        try? advertiser.stop()
        advertiser.close()
        listener.close()
    }

    var location: String { "\(adapter), L2CAP LE CID 4" }
}
