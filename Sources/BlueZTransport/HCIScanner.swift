import BLETransport
import NukiProfile

/// LE scanning on a real controller through HCI (Bluetooth Core 5.4, Vol 4, Part E, §7.8.10,
/// §7.8.11) and the LE Advertising Report events it yields (§7.7.65.2): how the keypad, fob or
/// hostile client finds a lock over the air.
///
/// ``start(_:filterDuplicates:)`` sets the socket's event filter to LE Meta events, the scan
/// parameters, and enables scanning; ``nextReports(timeout:)`` returns the reports of the next
/// advertising report event (skipping other events, throwing ``BluetoothError/Code/malformedEvent``
/// for a broken one, never trapping); ``scan(for:)`` collects for a while, skipping broken events,
/// and merges each device's advertising data and scan response into a ``ScannedDevice``, ready for
/// `NukiAdvertisement(advertisingData:scanResponse:)`.
///
/// Needs root or `CAP_NET_RAW`/`CAP_NET_ADMIN`. Throws ``BluetoothError/Code/noBluetooth`` where
/// the kernel has no Bluetooth. Through libbluetooth this module is GPL-2.0-or-later when distributed.
public final class HCIScanner: Sendable {
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

    /// Filters the socket to LE Meta events, stops any scan (a refusal is ignored), sets
    /// `parameters` and enables scanning.
    public func start(_ parameters: ScanParameters, filterDuplicates: Bool = false) throws(BluetoothError) {
        do {
            try controller.send(.setScanEnable(false, filterDuplicates: false))
        } catch where error.code == .controllerRejected {
            // Command Disallowed when no scan was running.
        }
        try controller.send(.setScanParameters(parameters))
        do {
            try controller.system.hciSetFilter(controller.socket, .leMetaEvents)
        } catch {
            throw BluetoothError(error)
        }
        try controller.send(.setScanEnable(true, filterDuplicates: filterDuplicates))
    }

    /// The reports of the next LE Advertising Report event within `timeout`; empty when none came.
    /// Other events are skipped; a malformed report event throws
    /// ``BluetoothError/Code/malformedEvent`` and the scanner stays usable.
    public func nextReports(timeout: Duration) throws(BluetoothError) -> [AdvertisingReport] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            guard !controller.isClosed else { throw BluetoothError(.closed, "the scanner is closed") }
            let remaining = clock.now.duration(to: deadline)
            let packet: [UInt8]?
            do {
                packet = try controller.system.hciRead(controller.socket, timeout: max(.zero, remaining))
            } catch {
                throw BluetoothError(error)
            }
            guard let packet else { return [] }
            if AdvertisingReport.isAdvertisingReport(packet) { return try AdvertisingReport.parse(packet: packet) }
            if remaining <= .zero { return [] }
        }
    }

    /// Collects reports for `duration` and merges them per address, in order of first sighting;
    /// stops early once `done` holds for what was collected (checked after every event, so a caller
    /// waiting for one lock does not sit out the whole window). Malformed events are skipped and
    /// counted in ``ScanResult/malformedEvents``.
    public func scan(for duration: Duration, until done: (ScanResult) -> Bool = { _ in false }) throws(BluetoothError) -> ScanResult {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: duration)
        var result = ScanResult()
        while clock.now < deadline, !done(result) {
            do {
                for report in try nextReports(timeout: clock.now.duration(to: deadline)) { result.add(report) }
            } catch where error.code == .malformedEvent {
                result.malformedEvents += 1
            }
        }
        return result
    }

    /// Disables scanning.
    public func stop() throws(BluetoothError) {
        try controller.send(.setScanEnable(false, filterDuplicates: false))
    }

    /// Stops scanning (best effort) and closes the HCI socket. Idempotent.
    public func close() {
        guard !controller.isClosed else { return }
        try? controller.send(.setScanEnable(false, filterDuplicates: false))
        controller.close()
    }
}
