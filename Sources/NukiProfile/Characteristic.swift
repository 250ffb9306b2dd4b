import BLEATT

/// The Nuki GATT characteristics a session reads and writes (`docs/wire.md` §1.1).
///
/// Every data characteristic: properties write 0x08 + indicate 0x20, a CCCD, values up to 512
/// octets (long writes). Where each sits in the attribute table: ``NukiGATTProfile``.
public enum Characteristic: String, Hashable, Sendable, CaseIterable {
    /// Pairing GDIO (`a92ee101-…`; Ultra `a92ee301-…`): plain pairing messages.
    case pairingGDIO
    /// Keyturner GDIO (`a92ee201-…`): plain Error Reports for frames the lock cannot attribute.
    case keyturnerGDIO
    /// Keyturner USDIO (`a92ee202-…`): encrypted messages.
    case keyturnerUSDIO

    /// The characteristic's UUID in a lock of `variant` (only the pairing GDIO differs).
    public func uuid(in variant: NukiGATTVariant = .smartLock) -> ATTUUID {
        switch (self, variant) {
        case (.pairingGDIO, .smartLock): NukiUUIDs.pairingGDIO
        case (.pairingGDIO, .ultra): NukiUUIDs.ultraPairingGDIO
        case (.keyturnerGDIO, _): NukiUUIDs.keyturnerGDIO
        case (.keyturnerUSDIO, _): NukiUUIDs.keyturnerUSDIO
        }
    }

    /// Whether its messages are plain frames (pairing GDIO, keyturner GDIO) or encrypted ones (USDIO).
    public var isEncrypted: Bool { self == .keyturnerUSDIO }

    /// The name traces, audit evidence and capture listings use: "pairing GDIO", "keyturner GDIO",
    /// "keyturner USDIO" (part of the trace file format: do not change).
    public var traceName: String {
        switch self {
        case .pairingGDIO: "pairing GDIO"
        case .keyturnerGDIO: "keyturner GDIO"
        case .keyturnerUSDIO: "keyturner USDIO"
        }
    }

    /// The characteristic whose ``traceName`` is `traceName`, or nil.
    public init?(traceName: String) {
        guard let found = Self.allCases.first(where: { $0.traceName == traceName }) else { return nil }
        self = found
    }
}
