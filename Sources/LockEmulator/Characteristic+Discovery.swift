import BLEATT
import BLEGATT
import LockSession

extension Characteristic {
    /// The Nuki characteristics a client writes to and takes indications from, with their UUIDs
    /// (`protocol.md` §1.2): Pairing GDIO, Keyturner GDIO, Keyturner USDIO.
    static let nukiUUIDs: [(Characteristic, ATTUUID)] = [
        (.pairingGDIO, NukiUUIDs.pairingGDIO), (.keyturnerGDIO, NukiUUIDs.keyturnerGDIO), (.keyturnerUSDIO, NukiUUIDs.keyturnerUSDIO),
    ]

    /// Finds the three in the services a GATT discovery returned.
    /// - Returns: each characteristic with its GATT characteristic (value handle, CCCD), in the order
    ///   of ``nukiUUIDs``; or the UUID of the first one the lock does not have.
    static func locate(in services: [GATTService]) -> Result<[(Characteristic, GATTCharacteristic)], MissingCharacteristic> {
        var found: [(Characteristic, GATTCharacteristic)] = []
        let all = services.flatMap(\.characteristics)
        for (which, uuid) in nukiUUIDs {
            guard let characteristic = all.first(where: { $0.uuid == uuid }) else { return .failure(MissingCharacteristic(uuid: uuid)) }
            found.append((which, characteristic))
        }
        return .success(found)
    }

    /// A Nuki characteristic the discovered services lack.
    struct MissingCharacteristic: Error {
        let uuid: ATTUUID
    }
}
