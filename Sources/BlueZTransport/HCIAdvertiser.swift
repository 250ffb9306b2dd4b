import BLETransport
import NukiProfile

/// LE legacy advertising on a real controller through HCI (Bluetooth Core 5.4, Vol 4, Part E,
/// §7.8.5–§7.8.9): what makes the emulated lock visible to phones, keypads and fobs.
///
/// ``advertise(_:parameters:)`` stops advertising, sets the parameters (connectable undirected
/// ADV_IND by default), the advertising data and the scan response of a ``NukiAdvertisement``
/// (docs/wire.md §1.3), then enables advertising; ``update(_:)`` changes only the data (say, the
/// iBeacon's status-changed bit) while advertising continues. Data longer than 31 octets is refused
/// with ``BluetoothError/Code/dataTooLong`` before anything reaches the controller.
///
/// Needs root or `CAP_NET_RAW`/`CAP_NET_ADMIN` (raw HCI socket). bluetoothd need not run; when it
/// does, it may reprogram advertising itself, and for the lock role its GATT server must be off
/// (see ``L2CAPListener``). Where the kernel has no Bluetooth, the initialiser throws
/// ``BluetoothError/Code/noBluetooth``; without a controller, ``BluetoothError/Code/noController``.
/// Through libbluetooth this module is GPL-2.0-or-later when distributed.
public final class HCIAdvertiser: Sendable {
    private let controller: HCIController

    /// Opens `adapter` (`hci0`, or its address; `nil` for the first controller that is up).
    public init(adapter: String? = nil, system: any BluetoothSystem = LiveBluetoothSystem(), commandTimeout: Duration = .seconds(2)) throws(BluetoothError) {
        controller = try HCIController(adapter: adapter, system: system, commandTimeout: commandTimeout)
    }

    /// The HCI device id in use (the N of hciN).
    public var device: Int32 { controller.device }

    /// The controller's public address, read with HCI_Read_BD_ADDR (Bluetooth Core 5.4, Vol 4,
    /// Part E, §7.4.6). Throws ``BluetoothError/Code/controllerRejected`` on a non-zero status,
    /// ``BluetoothError/Code/malformedEvent`` on a short reply, ``BluetoothError/Code/closed``.
    public func adapterAddress() throws(BluetoothError) -> DeviceAddress {
        try controller.address()
    }

    /// Sets the advertising parameters (§7.8.5). The controller refuses this while advertising
    /// (Command Disallowed): disable first.
    public func setParameters(_ parameters: AdvertisingParameters) throws(BluetoothError) {
        try controller.send(.setAdvertisingParameters(parameters))
    }

    /// Sets the advertising data (§7.8.7), at most 31 octets.
    public func setAdvertisingData(_ data: [UInt8]) throws(BluetoothError) {
        try controller.send(.setAdvertisingData(data))
    }

    /// Sets the scan response data (§7.8.8), at most 31 octets.
    public func setScanResponseData(_ data: [UInt8]) throws(BluetoothError) {
        try controller.send(.setScanResponseData(data))
    }

    /// Enables or disables advertising (§7.8.9).
    public func setEnabled(_ enabled: Bool) throws(BluetoothError) {
        try controller.send(.setAdvertisingEnable(enabled))
    }

    /// Disable (a refusal is ignored: it was not advertising), parameters, data, scan response,
    /// enable. The data lengths are checked before any command is sent.
    public func advertise(_ advertisement: NukiAdvertisement, parameters: AdvertisingParameters) throws(BluetoothError) {
        let data = try HCICommand.setAdvertisingData(advertisement.advertisingData)
        let response = try HCICommand.setScanResponseData(advertisement.scanResponse)
        do {
            try controller.send(.setAdvertisingEnable(false))
        } catch where error.code == .controllerRejected {
            // Some controllers answer Command Disallowed when advertising is already off.
        }
        try controller.send(.setAdvertisingParameters(parameters))
        try controller.send(data)
        try controller.send(response)
        try controller.send(.setAdvertisingEnable(true))
    }

    /// Replaces advertising and scan response data while advertising continues.
    public func update(_ advertisement: NukiAdvertisement) throws(BluetoothError) {
        let data = try HCICommand.setAdvertisingData(advertisement.advertisingData)
        let response = try HCICommand.setScanResponseData(advertisement.scanResponse)
        try controller.send(data)
        try controller.send(response)
    }

    /// Replaces advertising and scan response data with raw octets while advertising continues
    /// (the hostile lock's advertising mutations). Only the first 31 octets of each reach the
    /// controller (§7.8.7, §7.8.8): a longer plan is cut there, its length octets still claiming more.
    public func update(advertisingData: [UInt8], scanResponse: [UInt8]) throws(BluetoothError) {
        let data = try HCICommand.setAdvertisingData(Array(advertisingData.prefix(31)))
        let response = try HCICommand.setScanResponseData(Array(scanResponse.prefix(31)))
        try controller.send(data)
        try controller.send(response)
    }

    /// Stops advertising.
    public func stop() throws(BluetoothError) {
        try controller.send(.setAdvertisingEnable(false))
    }

    /// Stops advertising (best effort) and closes the HCI socket. Idempotent.
    public func close() {
        guard !controller.isClosed else { return }
        try? controller.send(.setAdvertisingEnable(false))
        controller.close()
    }
}
