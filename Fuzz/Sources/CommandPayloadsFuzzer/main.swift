// libFuzzer entry point of the commandPayloads target. Built with `--sanitize=fuzzer`, which links libFuzzer's
// main and compiles this file with -parse-as-library; all logic lives in WireFuzzing (only what this
// target needs is linked: Fuzz/Package.swift, `harnessModule`). `FuzzTarget.commandPayloads.run` calls the same.
import WireFuzzing

/// Called by libFuzzer once per input; traps (a crash to libFuzzer) when a harness invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
    let input = [UInt8](UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    InvariantViolation.enforce(CommandPayloadHarness.check(input[...]))
    return 0
}
