// The frame-parser harnesses and the helpers every harness shares (InvariantViolation, Invariant,
// FuzzInputReader, WireCodecs, FuzzFixtures) live in WireFuzzing, the fob's card harness and its
// model in NFCFuzzing, so those fuzzers link and instrument only what they test; everything that
// imports LockFuzzing sees them as before.
@_exported import NFCFuzzing
@_exported import WireFuzzing
