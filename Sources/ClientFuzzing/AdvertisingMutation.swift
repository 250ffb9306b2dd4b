import BLEATT
import BLETransport
import NukiProfile

/// One structure-aware change to what the hostile lock advertises (issue 14 item 5, "advertising"):
/// the advertising data and scan response of ``NukiProfile/NukiAdvertisement`` (docs/wire.md §1.3;
/// AD structures, Bluetooth Core 5.4 Vol 3 Part C §11, at most 31 octets each) as a scanning client
/// reads them from the discovery record (socket link) or an LE Advertising Report (BlueZ).
///
/// **What a correct client must refuse** (``mustRefuse(nukiID:)``): it must never crash or hang on
/// any advertising, and it must not connect to a lock (as its lock, or as a lock in pairing mode)
/// whose advertising does not carry exactly one consistent Nuki identity:
/// - AD or scan response data that is malformed (an AD structure whose length octet overruns the
///   data, non-zero octets after a zero length octet) or longer than 31 octets;
/// - no Nuki structure: service data for a UUID that is neither pairing service, an Apple iBeacon
///   with another prefix than `4C 00 02 15` or another proximity UUID, manufacturer data or service
///   data of the wrong length (a Nuki ID cut short, an iBeacon truncated or overlong);
/// - Nuki structures that disagree (two Nuki IDs), or a Complete Local Name `Nuki_XXXXXXXX` whose
///   8 hex digits are not the advertised Nuki ID.
///
/// Valid but unusual advertising is authentic and never a finding: the same Nuki structure twice,
/// a local name that is not UTF-8 or not `Nuki_…` (the name is for display), the paired iBeacon's
/// state-changed bit (bit 0 of the measured power) flapping.
///
/// JSON (Foundation's synthesized coding): `{"lengthDelta":{"structure":1,"delta":-1}}`, `{"stateChangedFlapping":{}}`…
public enum AdvertisingMutation: Sendable, Hashable, Codable {
    /// The length octet of AD structure `structure` (0 Flags, 1 the Nuki structure) moved by
    /// `delta` (mod 256): the Nuki structure is no longer read whole. Must refuse.
    case lengthDelta(structure: Int, delta: Int)
    /// The length octet of AD structure `structure` set to 0, the octets after it kept: they follow
    /// the end of the significant part (Part C §11), so no Nuki structure is advertised. Must refuse.
    case lengthZero(structure: Int)
    /// Pairing-mode service data (0x21) for the 128-bit UUID `service` (its string form, e.g.
    /// `a92ee200-5501-11e4-916c-0800200c9a66`) instead of the pairing service. Must refuse unless it
    /// is a pairing service.
    case serviceDataUUID(String)
    /// Pairing-mode service data with only the first `bytes` (0…3) octets of the Nuki ID. Must refuse.
    case shortNukiID(bytes: Int)
    /// Pairing-mode service data carrying Nuki ID `nukiID` while the scan response names the lock's
    /// own. Must refuse when `nukiID` differs from the lock's.
    case serviceDataNukiID(UInt32)
    /// The paired iBeacon (manufacturer data, 0xFF) with the 4 octets after the length replaced by
    /// `prefix` (company id LE, beacon type, beacon length; honest `4C 00 02 15`). Must refuse unless
    /// it is the honest prefix.
    case beaconPrefix([UInt8])
    /// The paired iBeacon carrying Nuki ID `nukiID` (major and minor) while the scan response names
    /// the lock's own. Must refuse when `nukiID` differs from the lock's.
    case beaconNukiID(UInt32)
    /// The paired iBeacon's manufacturer data cut to, or padded with 0xEE to, `bytes` octets (honest
    /// 25), the AD length octet matching. Must refuse unless 25.
    case manufacturerDataBytes(Int)
    /// The scan response carries the Nuki structure again (the same Nuki ID) instead of the name.
    /// Valid: a correct client may connect.
    case duplicated
    /// The scan response carries pairing service data for Nuki ID `nukiID` instead of the name: two
    /// Nuki identities. Must refuse when `nukiID` differs from the lock's.
    case conflicting(UInt32)
    /// The scan response's Complete Local Name replaced by these octets (any length, any encoding;
    /// the length octet is `count + 1` mod 256). Must refuse when the scan response passes 31
    /// octets or the name is `Nuki_` and 8 hex digits of another Nuki ID.
    case localName([UInt8])
    /// The paired iBeacon, its state-changed bit flipped on every republication (each step of the
    /// lock, at least 20 ms apart). Valid.
    case stateChangedFlapping

    /// The longest advertising or scan response data a legacy advertisement carries (Core Vol 3
    /// Part C §11; HCI LE Set Advertising Data, Vol 4 Part E §7.8.7).
    public static let maximumDataBytes = 31

    /// The advertising data and scan response for a lock with `nukiID` and scan response name
    /// `localName` (nil: `Nuki_XXXXXXXX`). `flap` is the state-changed bit for
    /// ``stateChangedFlapping``.
    public func bytes(nukiID: UInt32, localName: String? = nil, flap: Bool = false) -> (advertisingData: [UInt8], scanResponse: [UInt8]) {
        let pairing = NukiAdvertisement(nukiID: nukiID, mode: .pairing(service: NukiUUIDs.pairingService), localName: localName)
        let paired = NukiAdvertisement(nukiID: nukiID, mode: .paired(statusChanged: false), localName: localName)
        let scanResponse = pairing.scanResponse
        switch self {
        case .lengthDelta(let structure, let delta):
            var ad = pairing.advertisingData
            let at = structure <= 0 ? 0 : 3
            ad[at] = UInt8(truncatingIfNeeded: Int(ad[at]) + delta)
            return (ad, scanResponse)
        case .lengthZero(let structure):
            var ad = pairing.advertisingData
            ad[structure <= 0 ? 0 : 3] = 0
            return (ad, scanResponse)
        case .serviceDataUUID(let uuid):
            return (NukiAdvertisement.flags + [0x15, ADStructure.serviceData128Type] + Self.uuid(uuid).wireBytes + Self.bigEndian(nukiID), scanResponse)
        case .shortNukiID(let bytes):
            let id = Array(Self.bigEndian(nukiID).prefix(max(0, min(3, bytes))))
            let data = NukiUUIDs.pairingService.wireBytes + id
            return (NukiAdvertisement.flags + [UInt8(truncatingIfNeeded: data.count + 1), ADStructure.serviceData128Type] + data, scanResponse)
        case .serviceDataNukiID(let other):
            return (NukiAdvertisement(nukiID: other, mode: pairing.mode).advertisingData, scanResponse)
        case .beaconPrefix(let prefix):
            var ad = paired.advertisingData
            for (offset, byte) in prefix.prefix(4).enumerated() { ad[5 + offset] = byte }
            return (ad, scanResponse)
        case .beaconNukiID(let other):
            return (NukiAdvertisement(nukiID: other, mode: paired.mode).advertisingData, scanResponse)
        case .manufacturerDataBytes(let count):
            let honest = Array(paired.advertisingData.dropFirst(5))
            let count = max(0, min(253, count))
            let data = count <= honest.count ? Array(honest.prefix(count)) : honest + Array(repeating: 0xEE, count: count - honest.count)
            return (NukiAdvertisement.flags + [UInt8(truncatingIfNeeded: data.count + 1), ADStructure.manufacturerSpecificType] + data, scanResponse)
        case .duplicated:
            return (pairing.advertisingData, Array(pairing.advertisingData.dropFirst(3)))
        case .conflicting(let other):
            return (pairing.advertisingData, Array(NukiAdvertisement(nukiID: other, mode: pairing.mode).advertisingData.dropFirst(3)))
        case .localName(let name):
            return (pairing.advertisingData, [UInt8(truncatingIfNeeded: name.count + 1), ADStructure.completeLocalNameType] + name)
        case .stateChangedFlapping:
            return (NukiAdvertisement(nukiID: nukiID, mode: .paired(statusChanged: flap)).advertisingData, scanResponse)
        }
    }

    /// Whether a correct client must refuse to connect to a lock with `nukiID` advertising this (the
    /// rules above). Latchkey's own parser (``NukiProfile/NukiAdvertisement/init(advertisingData:scanResponse:)``)
    /// refuses exactly these (`AdvertisingMutationTests`).
    public func mustRefuse(nukiID: UInt32) -> Bool {
        switch self {
        case .lengthDelta(_, let delta): return UInt8(truncatingIfNeeded: delta) != 0
        case .serviceDataUUID(let uuid) where Self.uuid(uuid) == NukiUUIDs.pairingService || Self.uuid(uuid) == NukiUUIDs.ultraPairingService:
            return false
        case .lengthZero, .serviceDataUUID, .shortNukiID: return true
        case .serviceDataNukiID(let other), .beaconNukiID(let other), .conflicting(let other): return other != nukiID
        case .beaconPrefix(let prefix): return !prefix.prefix(4).elementsEqual([0x4C, 0x00, 0x02, 0x15])
        case .manufacturerDataBytes(let count): return count != 25
        case .duplicated, .stateChangedFlapping: return false
        case .localName(let name):
            if name.count + 2 > Self.maximumDataBytes { return true }
            return NukiAdvertisement.nukiID(inName: name).map { $0 != nukiID } ?? false
        }
    }

    /// What is changed, for de-duplicating findings: `adv-length`, `adv-length-zero`,
    /// `adv-service-uuid`, `adv-short-nuki-id`, `adv-nuki-id`, `adv-beacon-prefix`,
    /// `adv-beacon-nuki-id`, `adv-manufacturer-length`, `adv-duplicated`, `adv-conflicting`,
    /// `adv-local-name`, `adv-state-flapping`.
    public var field: String {
        switch self {
        case .lengthDelta: return "adv-length"
        case .lengthZero: return "adv-length-zero"
        case .serviceDataUUID: return "adv-service-uuid"
        case .shortNukiID: return "adv-short-nuki-id"
        case .serviceDataNukiID: return "adv-nuki-id"
        case .beaconPrefix: return "adv-beacon-prefix"
        case .beaconNukiID: return "adv-beacon-nuki-id"
        case .manufacturerDataBytes: return "adv-manufacturer-length"
        case .duplicated: return "adv-duplicated"
        case .conflicting: return "adv-conflicting"
        case .localName: return "adv-local-name"
        case .stateChangedFlapping: return "adv-state-flapping"
        }
    }

    /// A one-line description.
    public var label: String {
        switch self {
        case .lengthDelta(let structure, let delta):
            return "advertising: AD structure \(structure) length \(delta > 0 ? "+" : "")\(delta)"
        case .lengthZero(let structure): return "advertising: AD structure \(structure) length 0, its octets kept"
        case .serviceDataUUID(let uuid): return "advertising: service data for \(uuid)"
        case .shortNukiID(let bytes): return "advertising: service data with a \(bytes)-octet Nuki ID"
        case .serviceDataNukiID(let id): return "advertising: service data for Nuki ID \(Self.hex(id)), the name another"
        case .beaconPrefix(let prefix): return "advertising: iBeacon prefix \(prefix.map { Self.hex2($0) }.joined(separator: " "))"
        case .beaconNukiID(let id): return "advertising: iBeacon for Nuki ID \(Self.hex(id)), the name another"
        case .manufacturerDataBytes(let count): return "advertising: iBeacon manufacturer data of \(count) octets"
        case .duplicated: return "advertising: the Nuki structure again in the scan response"
        case .conflicting(let id): return "advertising: the scan response names Nuki ID \(Self.hex(id)) too"
        case .localName(let name): return "advertising: local name \(name.map { Self.hex2($0) }.joined()) (\(name.count) octets)"
        case .stateChangedFlapping: return "advertising: iBeacon state-changed bit flapping"
        }
    }

    /// The 128-bit form of `string` (a 16-bit UUID expanded on the Bluetooth Base UUID); the nil UUID
    /// when it is not one.
    static func uuid(_ string: String) -> ATTUUID {
        ATTUUID(string: string)?.expanded ?? ATTUUID(high: 0, low: 0)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    static func hex2(_ byte: UInt8) -> String { (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true) }

    /// One mutation drawn for `fuzz` plans (``HostilePlan/random(_:profile:)``).
    static func random(_ draw: inout Draw, nukiID: UInt32) -> AdvertisingMutation {
        let other = nukiID ^ UInt32(truncatingIfNeeded: 1 + draw.below(0xFFFF))
        switch draw.below(12) {
        case 0: return .lengthDelta(structure: draw.below(2), delta: [-1, 1, 2, 0x7F, -0x15][draw.below(5)])
        case 1: return .lengthZero(structure: draw.below(2))
        case 2: return .serviceDataUUID(["a92ee200-5501-11e4-916c-0800200c9a66", "a92ee101-5501-11e4-916c-0800200c9a66"][draw.below(2)])
        case 3: return .shortNukiID(bytes: draw.below(4))
        case 4: return draw.below(2) == 0 ? .serviceDataNukiID(other) : .beaconNukiID(other)
        case 5: return .beaconPrefix([[0x4C, 0x00, 0x02, 0x16], [0x4D, 0x00, 0x02, 0x15], [0x4C, 0x00, 0x03, 0x15], [0x00, 0x00, 0x00, 0x00]][draw.below(4)])
        case 6: return .manufacturerDataBytes([0, 2, 4, 20, 24, 26][draw.below(6)])
        case 7: return .duplicated
        case 8: return .conflicting(other)
        case 9:
            let names: [[UInt8]] = [
                Array(repeating: 0x41, count: 30), Array("Nuki_".utf8) + [0xFF, 0xFE, 0xC3], Array("Nuki_\(hex(other))".utf8), [],
                Array(repeating: 0xE2, count: 200),
            ]
            return .localName(names[draw.below(names.count)])
        case 10: return .stateChangedFlapping
        default: return .lengthDelta(structure: 1, delta: -1)
        }
    }
}
