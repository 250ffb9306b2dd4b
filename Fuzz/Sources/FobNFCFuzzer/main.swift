// libFuzzer entry point of the fobNFC target. Built with `--sanitize=fuzzer`, which links libFuzzer's
// main and compiles this file with -parse-as-library; all logic lives in NFCFuzzing (only what this
// target needs is linked: Fuzz/Package.swift, `harnessModule`). `FuzzTarget.fobNFC.run` calls the same.
import NFCFuzzing
import WireFuzzing

/// Called by libFuzzer once per input; traps (a crash to libFuzzer) when a harness invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
    let input = [UInt8](UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    InvariantViolation.enforce(FobNFCHarness.check(input[...]))
    return 0
}
