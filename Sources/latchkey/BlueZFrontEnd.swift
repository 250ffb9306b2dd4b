import BLETransport
import BlueZTransport
import Foundation
import LockEmulator
import NukiProfile

/// The lock on a real controller: ATT links accepted on L2CAP LE CID 4 and advertising through HCI
/// (libbluetooth, GPL-2.0-or-later: linked by the CLI, not by the runtime library). The lock role
/// needs bluetoothd stopped or its GATT server off (README, "Real Bluetooth").
///
/// The listener binds the controller's own public address (HCI_Read_BD_ADDR), so a central on
/// another controller of the same kernel (the VM lane's hci1) is not taken for the lock's peer.
/// A controller stops legacy advertising when a central connects (Bluetooth Core 5.4, Vol 6,
/// Part B, §4.4.2): each accepted link re-enables advertising when it closes.
final class BlueZFrontEnd: LockFrontEnd {
    let adapter: String
    let address: DeviceAddress
    let listener: L2CAPListener
    let advertiser: HCIAdvertiser
    var advertising = false
    /// Set when a link closed and advertising still has to be re-enabled.
    let readvertise = ReadvertisingLink.Flag()

    /// Opens the HCI device `adapter` (e.g. `hci0`), reads its address and listens on CID 4 there.
    /// Throws ``BluetoothError`` (on a machine without Bluetooth: "no Bluetooth on this machine …").
    init(adapter: String) throws {
        self.adapter = adapter
        advertiser = try HCIAdvertiser(adapter: adapter)
        address = try advertiser.adapterAddress()
        listener = try L2CAPListener(adapter: address)
    }

    func accept(timeout: Duration) throws -> (any ATTLink)? {
        if readvertise.pending.load(ordering: .acquiring), advertising {
            // Command Disallowed while the controller still holds the old connection: try again next turn.
            if (try? advertiser.setEnabled(true)) != nil { readvertise.pending.store(false, ordering: .releasing) }
        }
        guard let link = try listener.accept(timeout: timeout) else { return nil }
        return ReadvertisingLink(link, flag: readvertise)
    }

    func advertise(_ advertisement: NukiAdvertisement) throws {
        if advertising {
            try advertiser.update(advertisement)
        } else {
            try advertiser.advertise(advertisement, parameters: try AdvertisingParameters())
            advertising = true
        }
    }

    /// Raw AD bytes (the hostile lock's mutations): the first 31 octets of each (HCI LE Set
    /// Advertising Data and Set Scan Response Data carry no more). Advertising is disabled around
    /// the update and enabled again, so a controller that takes the data only when advertising is
    /// enabled (btvirt's, in the VM lane, kept sending the previous advertisement) sends the new
    /// bytes; an enable the controller refuses while a central is connected is retried when the
    /// link closes.
    func advertise(advertisingData: [UInt8], scanResponse: [UInt8]) throws {
        if !advertising {
            try advertise(NukiAdvertisement(nukiID: 0, mode: .paired(statusChanged: false)))
        }
        try? advertiser.setEnabled(false)
        try advertiser.update(advertisingData: advertisingData, scanResponse: scanResponse)
        if (try? advertiser.setEnabled(true)) == nil { readvertise.pending.store(true, ordering: .releasing) }
    }

    func stop() {
        try? advertiser.stop()
        advertiser.close()
        listener.close()
    }

    var location: String { "\(adapter) \(address), L2CAP LE CID 4" }
}
