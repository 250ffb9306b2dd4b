/// Which Nuki pairing service a ``NukiGATTProfile`` exposes (docs/wire.md §1.1, §3.4).
public enum NukiGATTVariant: Hashable, Sendable, CaseIterable {
    /// Smart Lock 1.0 to 4th generation: pairing service `a92ee100-…`, GDIO `a92ee101-…`.
    case smartLock
    /// Smart Lock Ultra: pairing service `a92ee300-…`, GDIO `a92ee301-…`; keyturner unchanged.
    case ultra
}
