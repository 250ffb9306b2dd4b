import LatchkeyTestSupport
import LockWire

/// Set A of docs/wire.md §10.1 and §10.5 (Tests/Vectors/SetA.json), from the shared test support.
typealias SetA = SetAVectors

/// The WireError `body` throws, or nil when it returns.
func wireError<T>(_ body: () throws(WireError) -> T) -> WireError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

func b32(_ fill: UInt8) -> Bytes32 {
    Bytes32([UInt8](repeating: fill, count: 32)) ?? .zero
}
