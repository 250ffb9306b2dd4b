import LockWire
import Testing

/// Pairing-message decoders check the whole length before any field (issue 18): one malformed
/// message gets one error, BAD_LENGTH, whatever value a field happens to hold.
@Suite struct PairingLengthFirstTests {
    static func code(_ body: () throws -> Void) -> WireError.Code? {
        do { try body() } catch { return (error as? WireError)?.code }
        return nil
    }

    @Test(arguments: [UInt8(0), 9, 0xFF])
    func authorizationDataLengthIsCheckedBeforeItsIDType(idType: UInt8) {
        var short = [UInt8](repeating: 0, count: 60)
        short[32] = idType
        #expect(Self.code { _ = try AuthorizationData(payload: short) } == .truncated)
        var long = [UInt8](repeating: 0, count: 102)
        long[32] = idType
        #expect(Self.code { _ = try AuthorizationData(payload: long) } == .trailingBytes)
        #expect(Self.code { _ = try NukiMessage.decode(command: .authorizationData, payload: long) }?.nukiErrorCode == .badLength)
    }

    @Test func aWellSizedAuthorizationDataWithABadIDTypeIsBadParameter() {
        var payload = [UInt8](repeating: 0, count: AuthorizationData.byteCount)
        payload[32] = 9
        #expect(Self.code { _ = try AuthorizationData(payload: payload) } == .badParameter)
    }

    @Test func statusAndAuthorizationInfoCheckTheirLengthFirst() {
        // A bad value and a trailing byte: the length wins.
        #expect(Self.code { _ = try Status(payload: [0x05, 0x00]) } == .trailingBytes)
        #expect(Self.code { _ = try AuthorizationInfo(payload: [0x02, 0x00]) } == .trailingBytes)
        #expect(Self.code { _ = try AuthorizationInfo(payload: []) } == .truncated)
        #expect(Self.code { _ = try AuthorizationInfo(payload: [0x02]) } == .badParameter)
    }

    @Test func authorizationInfoIsWireExact() throws {
        #expect(Hex.encode(PlainFrame(AuthorizationInfo(securityPINSet: true)).encoded()) == "4C000171B4")
        #expect(Hex.encode(PlainFrame(AuthorizationInfo(securityPINSet: false)).encoded()) == "4C000050A4")
        let frame = try PlainFrame.decode(try #require(Hex.decode("4C000171B4")))
        #expect(try NukiMessage.decode(command: frame.command, payload: frame.payload, context: .ultra) == .authorizationInfo(AuthorizationInfo(securityPINSet: true)))
    }

    @Test func ultraPairingPayloadsAreExactlySized() {
        #expect(Self.code { _ = try UltraAuthorizationData(payload: [UInt8](repeating: 0, count: 39), context: .ultra) } == .truncated)
        #expect(Self.code { _ = try UltraAuthorizationData(payload: [UInt8](repeating: 0, count: 41), context: .ultra) } == .trailingBytes)
        #expect(Self.code { _ = try UltraAuthorizationID(payload: [UInt8](repeating: 0, count: 21), context: .ultra) } == .trailingBytes)
        #expect(Self.code { _ = try NukiMessage.decode(command: .authorizationData, payload: [UInt8](repeating: 0, count: 101), context: .ultra) } == .trailingBytes)
    }
}
