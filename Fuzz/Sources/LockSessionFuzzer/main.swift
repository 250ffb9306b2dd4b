// libFuzzer entry point of the lockSession target. Built with `--sanitize=fuzzer`, which links libFuzzer's
// main and compiles this file with -parse-as-library; all logic lives in LockFuzzing.
import Foundation
import LockFuzzing

/// Called by libFuzzer once before the first input: the environment is read here, at the edge
/// (`LATCHKEY_FUZZ_PERSISTENCE`, `LATCHKEY_FUZZ_WEAKEN`: ``FuzzConfiguration``).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
) -> CInt {
    FuzzConfiguration.install(fromEnvironment: ProcessInfo.processInfo.environment)
    return 0
}

/// Called by libFuzzer once per input; traps (a crash to libFuzzer) when a harness invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
    FuzzTarget.lockSession.run(UnsafeRawBufferPointer(start: size > 0 ? data : nil, count: size))
    return 0
}
