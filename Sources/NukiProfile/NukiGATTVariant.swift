import BLEGATT

/// Which Nuki pairing service a ``NukiGATTProfile`` exposes (docs/wire.md §1.1, §3.4).
public enum NukiGATTVariant: Hashable, Sendable, CaseIterable {
    /// Smart Lock 1.0 to 4th generation: pairing service `a92ee100-…`, GDIO `a92ee101-…`.
    case smartLock
    /// Smart Lock Ultra: pairing service `a92ee300-…`, GDIO `a92ee301-…`; keyturner unchanged.
    case ultra

    /// The variant whose pairing GDIO is among `characteristics` (a client's GATT discovery):
    /// `.ultra` for `a92ee301-…`, `.smartLock` for `a92ee101-…`, the first found deciding; nil when
    /// neither is. This is how a client tells an Ultra (or Go on 5.x firmware) before it pairs.
    public init?(exposedBy characteristics: [GATTCharacteristic]) {
        for c in characteristics {
            if c.uuid == NukiUUIDs.ultraPairingGDIO { self = .ultra; return }
            if c.uuid == NukiUUIDs.pairingGDIO { self = .smartLock; return }
        }
        return nil
    }
}
