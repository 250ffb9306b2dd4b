import BLETransport
import BlueZTransport
import Foundation
import NukiProfile

/// The keypad's and fob's way to the lock over a real controller: scans with HCI for a Nuki
/// advertisement (docs/wire.md §1.3) — pairing-mode service data when pairing, any Nuki
/// advertisement otherwise, or the one at a given address — then connects L2CAP LE CID 4 from the
/// controller's own address. Throws ``BluetoothError`` (no Bluetooth, no controller, timeouts) or
/// ``PeripheralClient/Failure``-style ``Failure`` when no lock advertised within the scan time.
enum BlueZCentral {
    /// No lock was found by scanning.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The lock found: its address, address type and advertisement.
    struct Found {
        var address: DeviceAddress
        var addressType: LEAddressType
        var advertisement: NukiAdvertisement
    }

    /// How long a connectable advertiser's scan response is waited for before it is judged on its
    /// advertising data alone.
    static let scanResponseWait = Duration.seconds(1)

    /// Scans on `adapter` for up to `scanTime`: the first Nuki advertiser at `address` (any when
    /// `nil`) that is in pairing mode when `pairing`, judged on its advertising data and scan
    /// response together (see ``scanResponseWait``).
    static func find(adapter: String, address: DeviceAddress?, pairing: Bool, scanTime: Duration) throws -> (Found, DeviceAddress) {
        let scanner = try HCIScanner(adapter: adapter)
        defer { scanner.close() }
        let own = try scanner.adapterAddress()
        try scanner.start(try ScanParameters(active: true))
        let clock = ContinuousClock()
        let deadline = clock.now + scanTime
        var seen = ScanResult()
        // When each connectable candidate was first seen without its scan response.
        var waiting: [DeviceAddress: ContinuousClock.Instant] = [:]
        while clock.now < deadline {
            let reports = try scanner.nextReports(timeout: min(clock.now.duration(to: deadline), .milliseconds(100)))
            for report in reports { seen.add(report) }
            for device in seen.devices where device.connectable && (address == nil || device.address == address) {
                // Active scanning: the decision waits for the scan response (the local name the
                // advertised Nuki ID must agree with, docs/wire.md §1.3), up to scanResponseWait;
                // deciding on the advertising data alone let a conflicting name through (found by
                // `fuzz-client --transport bluez:…` with adv-nuki-id in the BlueZ VM lane).
                if device.scanResponse.isEmpty {
                    let first = waiting[device.address] ?? clock.now
                    waiting[device.address] = first
                    if clock.now - first < scanResponseWait { continue }
                }
                guard let advertisement = device.nukiAdvertisement, let type = device.addressType, advertisement.suits(pairing: pairing)
                else { continue }
                try? scanner.stop()
                return (Found(address: device.address, addressType: type, advertisement: advertisement), own)
            }
        }
        let wanted = pairing ? "in pairing mode" : "advertising"
        throw Failure(description: "no Nuki lock \(wanted)\(address.map { " at \($0)" } ?? "") seen on \(adapter) within \(scanTime) (\(seen.devices.count) other advertisers)")
    }

    /// Finds the lock (see ``find(adapter:address:pairing:scanTime:)``) and connects to its ATT
    /// channel from `adapter`'s address. Diagnostics (what was found) go to stderr.
    static func connect(adapter: String, address: String?, pairing: Bool, scanTime: Duration = .seconds(10)) throws -> L2CAPLink {
        var wanted: DeviceAddress?
        if let address {
            guard let parsed = DeviceAddress(string: address) else { throw Failure(description: "--address \(address) is not AA:BB:CC:DD:EE:FF") }
            wanted = parsed
        }
        let (found, own) = try find(adapter: adapter, address: wanted, pairing: pairing, scanTime: scanTime)
        Diagnostics.print("found Nuki \(String(found.advertisement.nukiID, radix: 16, uppercase: true)) at \(found.address) (\(found.addressType)) on \(adapter); connecting L2CAP LE CID 4 from \(own)")
        return try L2CAPLink.connect(to: found.address, addressType: found.addressType, from: own, timeout: .seconds(10))
    }
}
