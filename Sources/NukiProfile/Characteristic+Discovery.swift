import BLEATT
import BLEGATT

extension Characteristic {
    /// Finds the three Nuki characteristics in the services a GATT discovery returned: the pairing
    /// GDIO of either variant (`a92ee101-…` or Ultra's `a92ee301-…`), the keyturner GDIO and USDIO
    /// (`docs/wire.md` §1.1).
    /// - Returns: each characteristic with its GATT characteristic (value handle, CCCD), in the order
    ///   of ``allCases``; or the UUID of the first one the lock does not have.
    public static func locate(in services: [GATTService]) -> Result<[(Characteristic, GATTCharacteristic)], MissingCharacteristic> {
        var found: [(Characteristic, GATTCharacteristic)] = []
        let all = services.flatMap(\.characteristics)
        for which in allCases {
            let uuids = Set(NukiGATTVariant.allCases.map { which.uuid(in: $0) })
            guard let characteristic = all.first(where: { uuids.contains($0.uuid) }) else {
                return .failure(MissingCharacteristic(uuid: which.uuid()))
            }
            found.append((which, characteristic))
        }
        return .success(found)
    }

    /// The GATT set-up of every Nuki client on a fresh link: exchange the MTU (client Rx 247),
    /// discover all services, find the three characteristics and enable indications on each. A
    /// lock whose firmware predates the MTU exchange (Smart Lock before 1.9.3 / 2.7.20) answers
    /// Exchange MTU with Request Not Supported (0x06): the set-up carries on at ATT_MTU 23 (writes
    /// longer than 20 octets become long writes, indications come in 20-octet chunks). `run`
    /// performs one procedure and drives the link until its event makes `done` true (blocking or
    /// stepping a lock in the same thread, as the caller needs); it offers a `.failed` event to
    /// `done` before treating it as an error. `variant` receives which pairing service the lock
    /// exposes (``NukiGATTVariant/init(exposedBy:)``), once the discovery found the three.
    /// - Returns: each characteristic's value handle.
    /// - Throws: what `run` throws, or `missing(uuid)` for a characteristic the lock does not have.
    public static func setUpNukiClient(
        run: (GATTClient.Procedure, _ done: (GATTClient.Event) -> Bool) throws -> Void, missing: (ATTUUID) -> any Error,
        variant: (NukiGATTVariant) -> Void = { _ in }
    ) throws -> [Characteristic: UInt16] {
        var services: [GATTService] = []
        try run(.exchangeMTU(clientRxMTU: 247)) { event in
            switch event {
            case .mtuExchanged: return true
            case .failed(.exchangeMTU, let error): return error.errorResponse?.error == .requestNotSupported
            default: return false
            }
        }
        try run(.discoverAll) { event in
            if case .discoveryCompleted(let found) = event { services = found; return true }
            return false
        }
        let found: [(Characteristic, GATTCharacteristic)]
        switch locate(in: services) {
        case .success(let all): found = all
        case .failure(let failure): throw missing(failure.uuid)
        }
        variant(NukiGATTVariant(exposedBy: found.map(\.1)) ?? .smartLock)
        var handles: [Characteristic: UInt16] = [:]
        for (which, characteristic) in found {
            handles[which] = characteristic.valueHandle
            try run(.setIndications(characteristic, enabled: true)) { if case .valueWritten = $0 { true } else { false } }
        }
        return handles
    }

    /// A Nuki characteristic the discovered services lack.
    public struct MissingCharacteristic: Error, Sendable {
        /// Its UUID (the standard pairing GDIO's for a missing pairing GDIO of either variant).
        public let uuid: ATTUUID
    }
}
