// libFuzzer entry point of the fobNFC target. Built with `--sanitize=fuzzer`, which links libFuzzer's
// main and compiles this file with -parse-as-library; all logic lives in LockFuzzing.
import LockFuzzing

/// Called by libFuzzer once per input; traps (a crash to libFuzzer) when a harness invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
    FuzzTarget.fobNFC.run(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    return 0
}
