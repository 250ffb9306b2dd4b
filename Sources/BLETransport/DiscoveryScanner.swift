import NukiProfile
/// Lists a ``DiscoveryFolder`` and parses each record's AD bytes back (Vol 3 Part C §11;
/// docs/wire.md §1.3): the emulator's stand-in for an LE scan.
public struct DiscoveryScanner: Sendable {
    /// The folder scanned.
    public let folder: DiscoveryFolder

    /// A scanner of `folder`.
    public init(folder: DiscoveryFolder) {
        self.folder = folder
    }

    /// The devices advertising now, by address. Records whose hex or AD structures are malformed
    /// are skipped; a well-formed advertisement that is not a Nuki's has ``DiscoveredDevice/nuki`` `nil`.
    public func scan() -> [DiscoveredDevice] {
        folder.records().compactMap { record in
            guard let ad = record.advertisingBytes, let response = record.scanResponseBytes,
                (try? ADStructure.parse(ad)) != nil, (try? ADStructure.parse(response)) != nil
            else { return nil }
            return DiscoveredDevice(record: record, advertisingData: ad, scanResponse: response,
                nuki: try? NukiAdvertisement(advertisingData: ad, scanResponse: response))
        }
    }
}
