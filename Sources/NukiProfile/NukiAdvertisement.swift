import BLEATT

/// What a Nuki Smart Lock advertises (docs/wire.md §1.3), built as real AD bytes and parsed back.
///
/// Advertising data (at most 31 octets, Vol 3 Part C §11):
/// ```
/// uninitialized: 02 01 06 | 15 21 <initialization service a92ee000, 16 octets LE> <Nuki ID u32 BE> (25 octets)
/// pairing mode:  02 01 06 | 15 21 <pairing service UUID, 16 octets LE> <Nuki ID u32 BE>      (25 octets)
/// paired:        02 01 06 | 1A FF 4C 00 02 15 <keyturner service UUID, 16 octets BE>
///                          <major = Nuki ID high u16 BE> <minor = Nuki ID low u16 BE> <C4 | status>  (30 octets)
/// ```
/// Scan response: `0E 09 "Nuki_" <Nuki ID, 8 upper-case hex digits>` (15 octets).
/// The iBeacon's measured-power byte is 0xC4 (−60 dBm); its bit 0 means "state changed, poll".
public struct NukiAdvertisement: Hashable, Sendable {
    /// Uninitialized, pairing mode or paired (door mode).
    public enum Mode: Hashable, Sendable {
        /// A factory-new lock that was never set up (Nuki state 0x00 uninitialized, docs/wire.md
        /// §1.3, from simnuki's advertiser): service data for the initialization service `a92ee000-…`.
        case uninitialized
        /// Service data for `service` (the pairing service, or Ultra's a92ee300) is present.
        case pairing(service: ATTUUID)
        /// An iBeacon with the keyturner proximity UUID; `statusChanged` is bit 0 of measured power.
        case paired(statusChanged: Bool)
    }

    /// The 4-byte Nuki ID.
    public var nukiID: UInt32
    /// What the advertising data says.
    public var mode: Mode
    /// The Complete Local Name of the scan response, when present.
    public var localName: String?

    /// The measured-power byte, −60 dBm.
    public static let measuredPower: UInt8 = 0xC4

    /// A parsed or to-be-built advertisement.
    public init(nukiID: UInt32, mode: Mode, localName: String? = nil) {
        self.nukiID = nukiID
        self.mode = mode
        self.localName = localName
    }

    /// Whether a peripheral looking for a lock takes this one: any Nuki lock, and when `pairing`
    /// only one that advertises pairing mode (service data for a pairing service, docs/wire.md
    /// §1.3), because a paired lock, and an uninitialized one whose button was not held, answers
    /// Request Data with P_ERROR_NOT_PAIRING. The BlueZ scan
    /// and the discovery folder choose by this one rule.
    public func suits(pairing: Bool) -> Bool {
        guard pairing else { return true }
        if case .pairing = mode { return true }
        return false
    }

    /// The name to show for this lock: ``localName``, or `Nuki_` and the Nuki ID.
    public var displayName: String { localName ?? Self.name(nukiID) }

    // MARK: Building

    /// `02 01 06`: LE General Discoverable, BR/EDR not supported (Supplement Part A §1.3).
    public static let flags: [UInt8] = [0x02, 0x01, 0x06]

    /// The advertising data for ``mode`` (layouts above).
    public var advertisingData: [UInt8] {
        let id = Self.bigEndian(nukiID)
        switch mode {
        case .uninitialized:
            return Self.flags + [0x15, ADStructure.serviceData128Type] + NukiUUIDs.initializationService.wireBytes + id
        case .pairing(let service):
            return Self.flags + [0x15, ADStructure.serviceData128Type] + service.wireBytes + id
        case .paired(let statusChanged):
            let beacon: [UInt8] = [0x1A, 0xFF, 0x4C, 0x00, 0x02, 0x15]
            return Self.flags + beacon + Array(NukiUUIDs.keyturnerService.wireBytes.reversed()) + id
                + [Self.measuredPower | (statusChanged ? 0x01 : 0x00)]
        }
    }

    /// The scan response: Complete Local Name ``localName``, or `Nuki_` + 8 upper-case hex digits.
    public var scanResponse: [UInt8] {
        let name = Array((localName ?? Self.name(nukiID)).utf8.prefix(29))
        return [UInt8(truncatingIfNeeded: name.count + 1), ADStructure.completeLocalNameType] + name
    }

    /// `Nuki_2A37599A`.
    public static func name(_ nukiID: UInt32) -> String {
        let digits = String(nukiID, radix: 16, uppercase: true)
        return "Nuki_" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    // MARK: Parsing

    /// Parses advertising data and an optional scan response. Recognises service data (0x21) of
    /// the initialization service or a pairing service UUID with 4 octets of Nuki ID, or an Apple iBeacon (company 0x004C, type
    /// 0x02, length 0x15, 25 octets of manufacturer data, keyturner proximity UUID), in either.
    /// Throws ``AdvertisingDataError`` when either is longer than 31 octets
    /// (Vol 3 Part C §11) or malformed (``ADStructure/parse(_:)``), when neither holds a Nuki
    /// structure, when two Nuki structures disagree (Nuki ID or mode), or when the Complete Local
    /// Name is `Nuki_` and 8 hex digits of another Nuki ID than the advertised one: a client must not
    /// connect to a lock whose identity does not add up (issue 14 item 5, the advertising rules).
    public init(advertisingData: [UInt8], scanResponse: [UInt8] = []) throws(AdvertisingDataError) {
        guard advertisingData.count <= Self.maximumDataBytes, scanResponse.count <= Self.maximumDataBytes else {
            throw AdvertisingDataError(
                "\(advertisingData.count) octets of advertising data and \(scanResponse.count) of scan response; at most \(Self.maximumDataBytes) each")
        }
        let structures = try ADStructure.parse(advertisingData)
        let response = try ADStructure.parse(scanResponse)
        let nameOctets = response.first { $0.type == ADStructure.completeLocalNameType }?.data
        localName = nameOctets.map { String(decoding: $0, as: UTF8.self) }
        var found: (nukiID: UInt32, mode: Mode)?
        for s in structures + response {
            guard let record = Self.nukiRecord(s) else { continue }
            if let found, found.nukiID != record.nukiID || found.mode != record.mode {
                throw AdvertisingDataError("two Nuki structures disagree: \(Self.name(found.nukiID)) and \(Self.name(record.nukiID))")
            }
            found = record
        }
        guard let found else {
            throw AdvertisingDataError("neither Nuki initialization or pairing service data nor the Nuki iBeacon")
        }
        if let nameOctets, let named = Self.nukiID(inName: nameOctets), named != found.nukiID {
            throw AdvertisingDataError("the local name names Nuki ID \(Self.name(named)), the advertising data \(Self.name(found.nukiID))")
        }
        nukiID = found.nukiID
        mode = found.mode
    }

    /// Legacy advertising and scan response data carry at most 31 octets each (Vol 3 Part C §11).
    public static let maximumDataBytes = 31

    /// The Nuki ID and mode one AD structure advertises (layouts above), or nil when it is not a
    /// Nuki structure.
    static func nukiRecord(_ s: ADStructure) -> (nukiID: UInt32, mode: Mode)? {
        if s.type == ADStructure.serviceData128Type, s.data.count == 20,
            let uuid = ATTUUID(wireBytes: s.data[0..<16])
        {
            if uuid == NukiUUIDs.pairingService || uuid == NukiUUIDs.ultraPairingService {
                return (Self.readBigEndian(s.data[16..<20]), .pairing(service: uuid))
            }
            if uuid == NukiUUIDs.initializationService { return (Self.readBigEndian(s.data[16..<20]), .uninitialized) }
        }
        if s.type == ADStructure.manufacturerSpecificType, s.data.count == 25,
            s.data[0..<4].elementsEqual([0x4C, 0x00, 0x02, 0x15]),
            s.data[4..<20].elementsEqual(NukiUUIDs.keyturnerService.wireBytes.reversed())
        {
            return (Self.readBigEndian(s.data[20..<24]), .paired(statusChanged: s.data[24] & 0x01 != 0))
        }
        return nil
    }

    /// The Nuki ID a Complete Local Name spells: `Nuki_` then 8 hex digits, then its end or a space
    /// (`Nuki_2A37599A WEAK`); nil for any other name.
    public static func nukiID(inName octets: [UInt8]) -> UInt32? {
        guard octets.count >= 13, octets.starts(with: Array("Nuki_".utf8)), octets.count == 13 || octets[13] == 0x20 else { return nil }
        let digits = octets[5..<13]
        guard digits.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        return UInt32(String(decoding: digits, as: UTF8.self), radix: 16)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    private static func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
