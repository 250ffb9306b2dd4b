import BLEATT
import BLEGATT
import LatchkeyTestSupport
import NukiProfile
import Testing

/// The client's procedures against the server, back to back in memory (Bluetooth Core 5.4, Vol 3,
/// Part G §4), and the Set A messages of docs/wire.md §10.1 through them.
@Suite struct GATTClientTests {
    let profile = NukiGATTProfile(nukiID: exampleNukiID)

    @Test(arguments: [23, 247])
    func discoverAllFindsTheNukiLayout(mtu: Int) {
        var pair = BackToBack(database: profile.database, serverMTU: mtu, clientMTU: mtu)
        if mtu > 23 { pair.perform(.exchangeMTU(clientRxMTU: UInt16(mtu))) }
        pair.perform(.discoverAll)
        #expect(pair.client.isIdle)
        #expect(pair.client.services == profile.database.services)
        #expect(pair.clientEvents.last == .discoveryCompleted(profile.database.services))
        #expect(!pair.clientEvents.contains { if case .failed = $0 { return true } else { return false } })
        // The first exchange, exactly (§4.4.1).
        #expect(pair.trace.first(where: { $0.pdu.first == 0x10 })?.pdu == hex("10 0100 FFFF 0028"))
    }

    @Test func discoverServiceByUUIDThenItsCharacteristics() throws {
        var pair = BackToBack(database: profile.database)
        pair.perform(.discoverPrimaryService(NukiUUIDs.keyturnerService))
        #expect(pair.trace.map(\.pdu) == [
            hex("06 0100 FFFF 0028") + NukiGATTProfileTests.keyturnerWire, hex("07 0500 0B00"),
            hex("06 0C00 FFFF 0028") + NukiGATTProfileTests.keyturnerWire, hex("01 06 0C00 0A"),
        ])
        let service = try #require(pair.client.services.first)
        pair.perform(.discoverCharacteristics(service))
        let usdio = try #require(pair.client.characteristic(NukiUUIDs.keyturnerUSDIO))
        #expect(usdio.valueHandle == 0x000A && usdio.endHandle == 0x000B)
        pair.perform(.discoverDescriptors(usdio))
        #expect(pair.client.characteristic(NukiUUIDs.keyturnerUSDIO)?.clientConfigurationHandle == 0x000B)
    }

    @Test func readLongValueUsesReadBlob() throws {
        let long = (0..<50).map { UInt8($0) }
        let database = try GATTDatabase([GATTServiceDefinition(uuid: ATTUUID(0xFFF0), characteristics: [
            GATTCharacteristicDefinition(uuid: ATTUUID(0xFFF1), properties: .read, value: long),
        ])])
        var pair = BackToBack(database: database)
        pair.perform(.read(handle: 3))
        #expect(pair.clientEvents == [.valueRead(handle: 3, value: long)])
        #expect(pair.trace.map(\.pdu.first) == [0x0A, 0x0B, 0x0C, 0x0D, 0x0C, 0x0D])
    }

    @Test func writeNotPermittedFailsTheProcedure() {
        var pair = BackToBack(database: profile.database)
        pair.perform(.write(handle: 0x000E, value: [1]))
        let refused = ATTErrorResponse(requestOpcode: .writeRequest, handle: 0x000E, error: .writeNotPermitted)
        guard case .failed(.write(0x000E, [1]), let error)? = pair.clientEvents.last else {
            Issue.record("expected a failed write, got \(pair.clientEvents)")
            return
        }
        #expect(error.code == .errorResponse && error.errorResponse == refused)
        // A long write refused at prepare time cancels the queue, then fails.
        pair.perform(.write(handle: 0x000E, value: Array(repeating: 7, count: 30)))
        #expect(pair.trace.suffix(4).map(\.pdu) == [hex("16 0E00 0000") + Array(repeating: 7, count: 18), hex("01 16 0E00 03"), hex("18 00"), hex("19")])
        #expect(pair.client.isIdle)
    }

    @Test func prepareWriteEchoMismatchCancels() {
        var client = GATTClient()
        let value = Array(repeating: UInt8(0x55), count: 30)
        #expect(client.perform(.write(handle: 3, value: value), at: .zero) == [.send(hex("16 0300 0000") + value[0..<18])])
        // The echo differs in one octet: cancel (§4.9.4), then fail.
        #expect(client.receive(hex("17 0300 0000") + value[0..<17] + [0x56], at: .zero) == [.send(hex("18 00"))])
        let events = client.receive(hex("19"), at: .zero)
        guard case .failed(_, let error)? = events.first else {
            Issue.record("expected a failure, got \(events)")
            return
        }
        #expect(error.code == .invalidResponse)
    }

    @Test func requestTimesOutOnTheInjectedClock() {
        var client = GATTClient()
        _ = client.perform(.read(handle: 3), at: .seconds(5))
        _ = client.perform(.read(handle: 4), at: .seconds(6))
        #expect(client.tick(now: .seconds(34)) == [])
        let events = client.tick(now: .seconds(35))
        #expect(events.count == 2)
        #expect(events.allSatisfy { if case .failed(_, let e) = $0 { return e.code == .timeout } else { return false } })
        #expect(client.isIdle)
    }

    @Test func malformedDiscoveryResponseFailsWithoutTrapping() {
        var client = GATTClient()
        _ = client.perform(.discoverPrimaryServices, at: .zero)
        // A service UUID of 3 octets.
        let events = client.receive(hex("11 07 0100 0500 AABBCC"), at: .zero)
        guard case .failed(.discoverPrimaryServices, let error)? = events.first else {
            Issue.record("expected a failure, got \(events)")
            return
        }
        #expect(error.code == .invalidResponse)
        // Handles going backwards.
        _ = client.perform(.discoverPrimaryServices, at: .zero)
        _ = client.receive(hex("11 06 0500 0800 0A18"), at: .zero)
        let backwards = client.receive(hex("11 06 0300 0400 0A18"), at: .zero)
        #expect(backwards.contains { if case .failed(_, let e) = $0 { return e.code == .invalidResponse } else { return false } })
    }

    // MARK: Set A (docs/wire.md §10.1) at MTU 23 and 247

    @Test(arguments: [23, 247])
    func setAExchange(mtu: Int) throws {
        let vectors = try SetAVectors.load()
        var pair = BackToBack(database: profile.database, serverMTU: mtu, clientMTU: mtu)
        if mtu > 23 { pair.perform(.exchangeMTU(clientRxMTU: UInt16(mtu))) }
        #expect(pair.client.mtu == mtu)
        pair.perform(.discoverAll)
        let pairing = try #require(pair.client.characteristic(NukiUUIDs.pairingGDIO))
        let usdio = try #require(pair.client.characteristic(NukiUUIDs.keyturnerUSDIO))
        pair.perform(.setIndications(pairing, enabled: true))
        pair.perform(.setIndications(usdio, enabled: true))
        #expect(pair.trace.suffix(4).map(\.pdu) == [hex("12 0400 0200"), hex("13"), hex("12 0B00 0200"), hex("13")])

        for step in SetAVectors.conversation {
            let message = try vectors.bytes(step.key)
            let characteristic = step.onUSDIO ? profile.keyturnerUSDIO : profile.pairingGDIO
            let traceStart = pair.trace.count
            pair.serverEvents.removeAll()
            pair.clientEvents.removeAll()
            if step.fromClient {
                pair.perform(.write(handle: characteristic.valueHandle, value: message))
                #expect(pair.serverEvents.first == .valueWritten(pair.connection, characteristic, message), "\(step.key)")
                #expect(pair.clientEvents == [.valueWritten(handle: characteristic.valueHandle)])
                let sent = pair.trace[traceStart...].filter(\.fromClient).map(\.pdu)
                if message.count <= mtu - 3 {
                    #expect(sent == [[0x12] + le(characteristic.valueHandle) + message], "\(step.key)")
                } else {
                    // §4.9.4: Prepare Writes of MTU − 5 octets, then Execute Write 0x01.
                    let parts = stride(from: 0, to: message.count, by: mtu - 5).map { offset in
                        [0x16] + le(characteristic.valueHandle) + le(UInt16(offset)) + message[offset..<min(offset + mtu - 5, message.count)]
                    }
                    #expect(sent == parts + [hex("18 01")], "\(step.key)")
                }
            } else {
                try pair.indicate(message, on: characteristic)
                let chunks = pair.indications
                #expect(chunks.reduce([], +) == message, "\(step.key)")
                #expect(chunks.count == (message.count <= mtu - 3 ? 1 : (message.count + mtu - 4) / (mtu - 3)))
                #expect(chunks.dropLast().allSatisfy { $0.count == mtu - 3 })
                #expect(pair.serverEvents == [.indicationConfirmed(pair.connection, characteristic)])
                let handles = pair.trace[traceStart...].filter { !$0.fromClient }.map { Array($0.pdu.prefix(3)) }
                #expect(handles.allSatisfy { $0 == [0x1D] + le(characteristic.valueHandle) })
            }
        }
        if mtu == 23 {
            // The lock's 88-byte Authorization-ID went as 20 + 20 + 20 + 20 + 8; the client's 105-byte
            // Authorization Data as 6 Prepare Writes (18 octets each, the last 15).
            let authorizationID = try vectors.bytes("authorization_id_message")
            #expect(authorizationID.count == 88)
            let authorizationData = try vectors.bytes("authorization_data_message")
            #expect(authorizationData.count == 105)
        }
    }
}

func le(_ value: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }
