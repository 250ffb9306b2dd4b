import LockCrypto
import LockWire
import Testing

@Suite("Random sources, secret storage, constant-time compare")
struct PrimitiveTests {
    @Test("SeededRandomSource: the same seed replays the same stream")
    func seededReplay() {
        let a = SeededRandomSource(seed: 0x1234_5678_9ABC_DEF0)
        let b = SeededRandomSource(seed: 0x1234_5678_9ABC_DEF0)
        #expect(a.bytes(count: 100) == b.bytes(count: 100))
        #expect(a.bytes32() == b.bytes32())
        #expect(a.position == 132)
    }

    @Test("SeededRandomSource: successive calls differ, and different seeds differ")
    func seededNoRepeat() {
        let random = SeededRandomSource(seed: 7)
        var seen = Set<[UInt8]>()
        for _ in 0..<200 {
            #expect(seen.insert(random.bytes(count: 24)).inserted)
        }
        #expect(SeededRandomSource(seed: 7).bytes(count: 32) != SeededRandomSource(seed: 8).bytes(count: 32))
        let seed = Bytes32([UInt8](repeating: 9, count: 32)) ?? .zero
        #expect(SeededRandomSource(seed: seed).bytes(count: 32) == SeededRandomSource(seed: seed).bytes(count: 32))
    }

    @Test("SeededRandomSource: the stream does not depend on how it is split into calls")
    func seededChunking() {
        let whole = SeededRandomSource(seed: 11).bytes(count: 300)
        let split = SeededRandomSource(seed: 11)
        var joined: [UInt8] = []
        for size in [1, 7, 56, 64, 0, 3, 100, 69] {
            joined += split.bytes(count: size)
        }
        #expect(joined == whole)
    }

    @Test("SystemRandomSource gives distinct 32-byte values")
    func systemRandom() {
        let random = SystemRandomSource()
        #expect(random.bytes32() != random.bytes32())
        #expect(SystemRandomSource.shared.bytes(count: 0) == [])
    }

    @Test("SecretBytes: wipe() zeroes the contents; description is redacted")
    func secretBytesWipe() {
        let secret = SecretBytes(copying: [UInt8](repeating: 0x5A, count: 32))
        #expect(secret.withUnsafeBytes { Array($0) } == [UInt8](repeating: 0x5A, count: 32))
        #expect(!secret.isWiped)
        #expect(!"\(secret)".contains("5A"))
        #expect("\(secret)" == "SecretBytes(32 bytes, redacted)")
        secret.wipe()
        #expect(secret.isWiped)
        #expect(secret.withUnsafeBytes { Array($0) } == [UInt8](repeating: 0, count: 32))
    }

    @Test("SharedKey.wipe() zeroes every copy; description is redacted")
    func sharedKeyWipe() throws {
        let key = try SharedKey(rawBytes: [UInt8](repeating: 0x33, count: 32))
        let copy = key
        #expect("\(key)" == "SharedKey(redacted)")
        key.wipe()
        #expect(copy.withUnsafeBytes { Array($0) } == [UInt8](repeating: 0, count: 32))
    }

    @Test("SecretBytes: an initializer that throws leaves nothing behind; negative sizes are empty")
    func secretBytesEdges() {
        struct Failed: Error {}
        #expect(throws: Failed.self) {
            _ = try SecretBytes(count: 8) { (_: UnsafeMutableRawBufferPointer) throws(Failed) in throw Failed() }
        }
        #expect(SecretBytes(zeroed: -5).count == 0)
        #expect(SecretBytes(zeroed: 0).withUnsafeBytes { $0.count } == 0)
    }

    @Test("ConstantTime.equals")
    func constantTimeEquals() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(!ConstantTime.equals([], [0]))
        #expect(ConstantTime.equals([UInt8](), []))
        #expect(ConstantTime.equals([9, 1, 2, 3][1...], [1, 2, 3][...]))
        #expect(ConstantTime.isZero([0, 0, 0]))
        #expect(!ConstantTime.isZero([0, 1, 0]))
        let a = SecretBytes(copying: [1, 2])
        #expect(a.constantTimeEquals(SecretBytes(copying: [1, 2])))
        #expect(!a.constantTimeEquals(SecretBytes(copying: [1, 2, 3])))
    }
}
