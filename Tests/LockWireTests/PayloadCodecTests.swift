import LockWire
import Testing

/// Every payload codec of `docs/wire.md` §4: sizes as the spec gives them, round trips both ways, and
/// typed errors (never a trap) for payloads cut short or grown by one byte.
@Suite struct PayloadCodecTests {
    @Test func everyDocumentedCommandHasASample() {
        let sampled = Set(Samples.all.map(\.message.command))
        let documented = Set(Command.documented.map(\.code))
        #expect(sampled == documented)
        #expect(documented.count == 53)
    }

    /// Payload sizes from docs/wire.md §4 (PIN = 2 bytes unless the context is Ultra).
    @Test(arguments: [
        ("REQUEST_DATA", 2), ("PUBLIC_KEY", 32), ("CHALLENGE", 32), ("AUTHORIZATION_AUTHENTICATOR", 32),
        ("AUTHORIZATION_DATA", 101), ("AUTHORIZATION_ID", 84), ("REMOVE_AUTHORIZATION_ENTRY", 38),
        ("REQUEST_AUTHORIZATION_ENTRIES", 38), ("REQUEST_AUTHORIZATION_ENTRIES filtered", 39),
        ("AUTHORIZATION_ENTRY", 75), ("AUTHORIZATION_DATA_INVITE", 120), ("KEYTURNER_STATES 15 bytes", 15),
        ("KEYTURNER_STATES 27 bytes", 27), ("LOCK_ACTION", 38), ("LOCK_ACTION suffix", 58), ("STATUS", 1),
        ("MOST_RECENT_COMMAND", 2), ("OPENINGS_CLOSINGS_SUMMARY", 8), ("BATTERY_REPORT", 17), ("ERROR_REPORT", 3),
        ("SET_CONFIG", 89), ("REQUEST_CONFIG", 32), ("CONFIG 71 bytes", 71), ("CONFIG 79 bytes", 79),
        ("SET_SECURITY_PIN", 36), ("SET_SECURITY_PIN Ultra", 40), ("REQUEST_CALIBRATION", 34), ("REQUEST_REBOOT", 34),
        ("AUTHORIZATION_ID_CONFIRMATION", 36), ("AUTHORIZATION_ID_INVITE", 11), ("VERIFY_SECURITY_PIN", 34),
        ("UPDATE_TIME", 41), ("UPDATE_AUTHORIZATION_ENTRY", 92), ("AUTHORIZATION_ENTRY_COUNT", 2),
        ("REQUEST_LOG_ENTRIES", 42), ("LOG_ENTRY lock action", 52), ("LOG_ENTRY keypad action", 53),
        ("LOG_ENTRY_COUNT", 5), ("ENABLE_LOGGING", 35), ("SET_ADVANCED_CONFIG 26 bytes", 60),
        ("SET_ADVANCED_CONFIG 31 bytes", 65), ("REQUEST_ADVANCED_CONFIG", 32), ("ADVANCED_CONFIG 28 bytes", 28),
        ("ADVANCED_CONFIG 33 bytes", 33), ("ADD_TIME_CONTROL_ENTRY", 38), ("TIME_CONTROL_ENTRY_ID", 1),
        ("REMOVE_TIME_CONTROL_ENTRY", 35), ("REQUEST_TIME_CONTROL_ENTRIES", 34), ("TIME_CONTROL_ENTRY_COUNT", 1),
        ("TIME_CONTROL_ENTRY", 6), ("UPDATE_TIME_CONTROL_ENTRY", 40), ("ADD_KEYPAD_CODE", 78), ("KEYPAD_CODE_ID", 9),
        ("REQUEST_KEYPAD_CODES", 38), ("KEYPAD_CODE_COUNT", 2), ("KEYPAD_CODE", 63), ("UPDATE_KEYPAD_CODE", 81),
        ("REMOVE_KEYPAD_CODE", 36), ("KEYPAD_ACTION", 38), ("AUTHORIZATION_INFO", 1), ("SIMPLE_LOCK_ACTION", 33),
        ("SIMPLE_LOCK_ACTION suffix", 53),
    ])
    func payloadSizeMatchesSpec(label: String, size: Int) throws {
        let sample = try #require(Samples.all.first { sample in
            let name = sample.message.command.name ?? ""
            return (sample.label.isEmpty ? name : name + " " + sample.label) == label
        })
        #expect(sample.message.encodedPayload().count == size)
    }

    @Test func ultraLayoutsHaveTheirSpecSizes() {
        #expect(UltraAuthorizationData(appID: 1, name: Samples.name, securityPIN: 123_456).encoded().count == 40)
        #expect(UltraAuthorizationID(authID: 1, lockUUID: Samples.uuid).encoded().count == 20)
    }

    @Test(arguments: Samples.all)
    func decodeOfEncodeIsIdentity(sample: Sample) throws {
        let bytes = sample.message.encodedPayload()
        let decoded = try NukiMessage.decode(command: sample.message.command, payload: bytes, context: sample.context)
        #expect(decoded == sample.message)
        #expect(decoded.encodedPayload() == bytes)
    }

    @Test(arguments: Samples.all.filter(\.minimal))
    func cutShortByOneByteIsBadLength(sample: Sample) {
        let bytes = sample.message.encodedPayload()
        let error = wireError { () throws(WireError) in
            try NukiMessage.decode(command: sample.message.command, payload: bytes.dropLast(), context: sample.context)
        }
        #expect(error?.code.nukiErrorCode == .badLength, "\(sample): \(String(describing: error))")
    }

    @Test(arguments: Samples.all.filter(\.maximal))
    func grownByOneByteIsBadLength(sample: Sample) {
        let bytes = sample.message.encodedPayload() + [0]
        let error = wireError { () throws(WireError) in
            try NukiMessage.decode(command: sample.message.command, payload: bytes, context: sample.context)
        }
        #expect(error?.code.nukiErrorCode == .badLength, "\(sample): \(String(describing: error))")
    }

    /// Every prefix of every sample decodes or throws a WireError; none traps.
    @Test func everyPrefixDecodesOrThrows() {
        var thrown = 0
        for sample in Samples.all {
            let bytes = sample.message.encodedPayload()
            for end in 0..<bytes.count {
                if wireError({ () throws(WireError) in
                    try NukiMessage.decode(command: sample.message.command, payload: bytes[..<end], context: sample.context)
                }) != nil {
                    thrown += 1
                }
            }
        }
        #expect(thrown > 2_000)
    }

    @Test func keyturnerStatesFromTheV21ExampleDecodes() throws {
        // docs/wire.md §10.1: 15-byte state "Nuki state 2, locked, trigger 0, 2016-03-07 08:15:30, offset +60 min".
        let payload = try #require(Hex.decode("020100E0070307080F1E3C0000200A"))
        let states = try KeyturnerStates(payload: payload)
        #expect(states.nukiState == .doorMode)
        #expect(states.lockState == .locked)
        #expect(states.trigger == .system)
        #expect(states.currentTime == DateTime(year: 2016, month: 3, day: 7, hour: 8, minute: 15, second: 30))
        #expect(states.timezoneOffsetMinutes == 60)
        #expect(states.criticalBatteryState.isCritical == false)
        #expect(states.lastLockAction == nil)
        #expect(states.encoded() == payload)
    }

    @Test func criticalBatteryStateBits() {
        let state = CriticalBatteryState(rawValue: 0b1010_1011)
        #expect(state.isCritical)
        #expect(state.isCharging)
        #expect(state.percent == 84)
        #expect(CriticalBatteryState(critical: true, charging: false, percent: 19).rawValue == 0b0010_0101)
    }

    @Test func lockActionPayloadFromSetAIsExact() throws {
        // docs/wire.md §10.1 "Perform unlock": action 01, app id 0, flags 0, nK.
        let nK = try #require(Bytes32(Hex.decode("57D95521BEA186B5A9244F025737924C5B7E33592D0614D5F6EF2E2F142C6D4B") ?? []))
        let request = LockActionRequest(action: .unlock, appID: 0, challenge: nK)
        #expect(Hex.encode(request.encoded()) == "01" + "00000000" + "00" + nK.description)
    }

    @Test func optionalTimezoneIDCutInHalfIsTruncated() {
        let bytes = Array(Samples.config79.encoded().prefix(73))
        #expect(wireError { () throws(WireError) in try Config(payload: bytes) }?.code == .truncated)
    }

    @Test func absentOptionalFieldBeforeAPresentOneIsSentAsZero() {
        var states = Samples.states15
        states.doorSensorState = .opened
        let bytes = states.encoded()
        #expect(bytes.count == 19)
        #expect(Array(bytes[15...]) == [0, 0, 0, 0x03])
    }
}

/// The switch-based accessors of NukiMessage agree with the payload codecs' own conformances.
@Suite struct MessageAccessorTests {
    @Test(arguments: Samples.all)
    func accessorsMatchThePayload(sample: Sample) {
        let message = sample.message
        #expect(message.command == type(of: message.payload).command)
        #expect(message.encodedPayload() == message.payload.encoded())
        #expect(message.challenge == (message.payload as? any ChallengeBearingPayload)?.challenge)
        #expect(message.securityPIN == (message.payload as? any PINProtectedPayload)?.securityPIN)
    }

    @Test func challengeAndPINCountsMatchTheSpec() {
        let withChallenge = Samples.all.filter { $0.message.challenge != nil }.map(\.message.command)
        let withPIN = Samples.all.filter { $0.message.securityPIN != nil }.map(\.message.command)
        #expect(Set(withChallenge).count == 26)  // EC and ECP rows of docs/wire.md §4
        #expect(Set(withPIN).count == 21)  // ECP rows
    }
}
