import Foundation
import LockCore
import LockCrypto
import LockWire
import Testing

/// C-08 and PIN-06: statistical timing test of the keypad code match and the security PIN check
/// (constant time across matching prefixes). Too noisy for shared CI, so it runs only with
/// LATCHKEY_TIMING=1 (method in README.md, "Timing method").
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["LATCHKEY_TIMING"] == "1"))
struct TimingTests {
    static let samplesPerClass = 20_000
    static let callsPerSample = 32
    /// dudect's threshold for "the classes' timings differ": |t| above 10.
    static let threshold = 10.0

    static func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Welch's t statistic of two samples, each cropped at its own 90th percentile (dudect's crop).
    static func welch(_ a: [Double], _ b: [Double]) -> (t: Double, meanA: Double, meanB: Double) {
        func crop(_ x: [Double]) -> [Double] {
            let sorted = x.sorted()
            let cut = sorted[Int(Double(sorted.count) * 0.9)]
            return x.filter { $0 <= cut }
        }
        let x = crop(a), y = crop(b)
        func stats(_ v: [Double]) -> (Double, Double) {
            let mean = v.reduce(0, +) / Double(v.count)
            return (mean, v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1))
        }
        let (ma, va) = stats(x), (mb, vb) = stats(y)
        return ((ma - mb) / ((va / Double(x.count) + vb / Double(y.count)).squareRoot()), ma, mb)
    }

    /// Measures `classes` interleaved in a seeded random order; returns the samples of each class
    /// (nanoseconds per call).
    static func measure(classes: Int, seed: UInt64, _ body: (Int) -> Void) -> [[Double]] {
        let random = SeededRandomSource(seed: seed)
        var samples = Array(repeating: [Double](), count: classes)
        for _ in 0..<samplesPerClass {
            for c in random.bytes(count: classes).enumerated().sorted(by: { $0.element < $1.element }).map(\.offset) {
                let start = nanoseconds()
                for _ in 0..<callsPerSample { body(c) }
                samples[c].append(Double(nanoseconds() - start) / Double(callsPerSample))
            }
        }
        return samples
    }

    /// Keypad codes: 100 stored codes (99 + the target); the typed code matches 0…5 leading digits of one of them
    /// (never all six), or is the stored code itself. No class may differ from "no digit matches".
    @Test func test_PIN06_keypadCodeMatchIsConstantTimeAcrossPrefixes() throws {
        var book = KeypadCodeBook()
        var stored: [UInt32] = []
        var code: UInt32 = 311_111
        while stored.count < 99 {
            if KeypadCode.isValidFormat(code) {
                _ = try book.add(code: code, name: FixedName("c", width: 20), restriction: .unrestricted, created: .unset)
                stored.append(code)
            }
            code += 1
        }
        let target: UInt32 = 987_654
        _ = try book.add(code: target, name: FixedName("t", width: 20), restriction: .unrestricted, created: .unset)
        // Class k: the first k digits of the target, then digits that differ from it.
        let typed: [UInt32] = (0...6).map { k in
            let digits = Array(String(target)).map { UInt32(String($0)) ?? 1 }
            return (0..<6).reduce(UInt32(0)) { $0 * 10 + ($1 < k ? digits[$1] : (digits[$1] == 1 ? 2 : 1)) }
        }
        var sink = 0
        let samples = Self.measure(classes: typed.count, seed: 606) { sink &+= book.match(typed[$0]) ?? -1 }
        for k in 1..<typed.count {
            let (t, a, b) = Self.welch(samples[0], samples[k])
            print("PIN-06 keypad match: prefix 0 vs \(k) digits: \(String(format: "%.1f", a)) vs \(String(format: "%.1f", b)) ns, t = \(String(format: "%.2f", t))")
            #expect(abs(t) < Self.threshold, "matching \(k) digits changes the time (t = \(t))")
        }
        #expect(sink != 0)
    }

    /// Security PIN (u16, 2 bytes): wrong in the first byte, wrong only in the second byte, right.
    /// Each call runs on a fresh copy of the machine so the lockout never engages.
    @Test func test_C08_securityPINCheckIsConstantTimeAcrossPrefixes() throws {
        var model = LockModel.smartLock3
        model.motorStepMilliseconds = 0
        var base = LockMachine(model: model, nukiID: 1, settings: LockSettings(name: FixedName("Door", width: 32)), securityPIN: .u16(0x1234))
        base.restoreAuthorization(Authorization(authID: 1, idType: .app, clientID: 1, name: FixedName("Phone", width: 32), dateCreated: .unset))
        let pins: [SecurityPIN] = [.u16(0x5678), .u16(0x1278), .u16(0x1234)]  // little-endian: 0x34 first
        let messages = pins.map { NukiMessage.verifySecurityPIN(VerifySecurityPIN(challenge: .zero, securityPIN: $0)) }
        let now = Bench.start
        var sink = 0
        let samples = Self.measure(classes: messages.count, seed: 808) { c in
            var m = base
            do { sink &+= try m.handle(messages[c], from: 1, at: now).count } catch { sink &+= 1 }
        }
        for k in 1..<messages.count {
            let (t, a, b) = Self.welch(samples[0], samples[k])
            print("C-08 security PIN: class 0 vs \(k): \(String(format: "%.1f", a)) vs \(String(format: "%.1f", b)) ns, t = \(String(format: "%.2f", t))")
            if k == 1 { #expect(abs(t) < Self.threshold, "a matching first byte changes the time (t = \(t))") }
        }
        #expect(sink != 0)
    }
}
