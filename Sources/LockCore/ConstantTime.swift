/// Constant-time comparison for secrets the lock core checks (security PIN, keypad codes), in pure
/// Swift so `LockCore` needs no C library: every byte is visited and combined without branching on
/// its value. Different lengths compare unequal (the length is not secret).
enum ConstantTime {
    static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
