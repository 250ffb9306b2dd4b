import BLEATT
import BLEGATT
import NukiProfile
import Testing

/// The server's answers, byte for byte, at ATT_MTU 23 (Bluetooth Core 5.4, Vol 3, Part F §3.4 and
/// Part G §4).
@Suite struct GATTServerTests {
    var server = GATTServer(database: NukiGATTProfile(nukiID: exampleNukiID).database)
    let pairingWire = NukiGATTProfileTests.pairingWire
    let keyturnerWire = NukiGATTProfileTests.keyturnerWire

    /// Sends one request and returns the octets the server sends back.
    mutating func ask(_ id: GATTConnectionID, _ request: String, at now: Duration = .zero) throws -> [[UInt8]] {
        try server.receive(hex(request), from: id, at: now).compactMap {
            if case .send(_, let octets) = $0 { return octets } else { return nil }
        }
    }

    @Test mutating func readByGroupTypeDiscoversEachServiceInTurn() throws {
        let c = server.connect()
        // §4.4.1: one 128-bit entry fits MTU 23 (2 + 20 octets).
        #expect(try ask(c, "10 0100 FFFF 0028") == [hex("11 14 0100 0400") + pairingWire])
        #expect(try ask(c, "10 0500 FFFF 0028") == [hex("11 14 0500 0B00") + keyturnerWire])
        // The three 16-bit services (device information, generic access, generic attribute) in one.
        #expect(try ask(c, "10 0C00 FFFF 0028") == [hex("11 06 0C00 1200 0A18 1300 1700 0018 1800 1B00 0118")])
        #expect(try ask(c, "10 1C00 FFFF 0028") == [hex("01 10 1C00 0A")])
        // Part F §3.4.4.9: «Characteristic» is not a grouping type.
        #expect(try ask(c, "10 0100 FFFF 0328") == [hex("01 10 0100 10")])
    }

    @Test mutating func findByTypeValueGivesTheServiceRange() throws {
        let c = server.connect()
        #expect(try ask(c, "06 0100 FFFF 0028" + hexString(keyturnerWire)) == [hex("07 0500 0B00")])
        #expect(try ask(c, "06 0100 FFFF 0028 0A18") == [hex("07 0C00 1200")])
        #expect(try ask(c, "06 0100 FFFF 0028 0F18") == [hex("01 06 0100 0A")])
    }

    @Test mutating func readByTypeAndFindInformation() throws {
        let c = server.connect()
        // §4.6.1: one 19-octet declaration per response at MTU 23.
        #expect(try ask(c, "08 0500 0B00 0328") == [hex("09 15 0600 28 0700") + hex("66 9A 0C 20 00 08 6C 91 E4 11 01 55 01 E2 2E A9")])
        // Three 5-octet declarations of the device information service fit in one response.
        #expect(try ask(c, "08 0C00 1200 0328") == [hex("09 07 0D00 02 0E00 252A 0F00 02 1000 262A 1100 02 1200 272A")])
        // Device Name and Appearance (read 0x02), Service Changed (indicate 0x20), in one response.
        #expect(try ask(c, "08 1300 FFFF 0328") == [hex("09 07 1400 02 1500 002A 1600 02 1700 012A 1900 20 1A00 052A")])
        #expect(try ask(c, "08 1C00 FFFF 0328") == [hex("01 08 1C00 0A")])
        // §4.7.1: the CCCD after the pairing GDIO value.
        #expect(try ask(c, "04 0400 0400") == [hex("05 01 0400 0229")])
        // Read By Type on a value that is not readable: Read Not Permitted naming it.
        #expect(try ask(c, "08 0100 FFFF 66 9A 0C 20 00 08 6C 91 E4 11 01 55 01 E1 2E A9") == [hex("01 08 0300 02")])
        // Read By Type of the serial number (a «read by UUID»).
        #expect(try ask(c, "08 0100 FFFF 252A") == [hex("09 0A 0E00") + Array("2A37599A".utf8)])
    }

    @Test mutating func readsAndReadBlob() throws {
        let c = server.connect()
        #expect(try ask(c, "0A 0E00") == [hex("0B") + Array("2A37599A".utf8)])
        #expect(try ask(c, "0C 0E00 0400") == [hex("0D") + Array("599A".utf8)])
        #expect(try ask(c, "0C 0E00 0800") == [hex("0D")])  // offset == length: empty (F §3.4.4.5)
        #expect(try ask(c, "0C 0E00 0900") == [hex("01 0C 0E00 07")])  // Invalid Offset
        #expect(try ask(c, "0A 0300") == [hex("01 0A 0300 02")])  // GDIO: Read Not Permitted
        #expect(try ask(c, "0A 1C00") == [hex("01 0A 1C00 01")])  // Invalid Handle
        #expect(try ask(c, "0A 0400") == [hex("0B 0000")])  // CCCD starts at 0
    }

    /// Generic Access reads, byte for byte; Service Changed is indicate-only (Vol 3 Part G §7.1:
    /// not readable, not writable) and its CCCD takes a client's 0x0002 (indications) for the
    /// connection only.
    @Test mutating func genericAccessReadsAndServiceChangedIsIndicateOnly() throws {
        let c = server.connect()
        #expect(try ask(c, "0A 1500") == [hex("0B") + Array("Nuki_2A37599A".utf8)])  // Device Name
        #expect(try ask(c, "0A 1700") == [hex("0B 0807")])  // Appearance 0x0708
        #expect(try ask(c, "08 0100 FFFF 012A") == [hex("09 04 1700 0807")])  // read by UUID
        #expect(try ask(c, "0A 1A00") == [hex("01 0A 1A00 02")])  // Service Changed: Read Not Permitted
        #expect(try ask(c, "12 1A00 01000100") == [hex("01 12 1A00 03")])  // … and Write Not Permitted
        #expect(try ask(c, "12 1500 41") == [hex("01 12 1500 03")])  // the Device Name is not writable
        #expect(try ask(c, "04 1B00 1B00") == [hex("05 01 1B00 0229")])
        let sc = NukiGATTProfile(nukiID: exampleNukiID).serviceChanged
        let events = try server.receive(hex("12 1B00 0200"), from: c, at: .zero)
        #expect(events == [.clientConfigurationChanged(c, sc, 0x0002), .send(c, hex("13"))])
        #expect(try ask(c, "0A 1B00") == [hex("0B 0200")])
        #expect(try ask(server.connect(), "0A 1B00") == [hex("0B 0000")])
    }

    @Test mutating func writeToANonWritableAttributeIsWriteNotPermitted() throws {
        let c = server.connect()
        #expect(try ask(c, "12 0E00 41") == [hex("01 12 0E00 03")])  // serial number
        #expect(try ask(c, "12 0100 41") == [hex("01 12 0100 03")])  // service declaration
        #expect(try ask(c, "12 0200 41") == [hex("01 12 0200 03")])  // characteristic declaration
        #expect(try ask(c, "16 0E00 0000 41") == [hex("01 16 0E00 03")])  // prepare write too
        #expect(try ask(c, "12 9900 41") == [hex("01 12 9900 01")])  // no such handle
        #expect(try ask(c, "12 0400 02") == [hex("01 12 0400 0D")])  // CCCD takes 2 octets
        // A Write Command that would fail is dropped, never answered.
        #expect(try ask(c, "52 0E00 41") == [])
    }

    @Test mutating func writeRequestReportsTheValue() throws {
        let c = server.connect()
        let events = try server.receive(hex("12 0300 0100030027A7"), from: c, at: .zero)
        let gdio = NukiGATTProfile(nukiID: exampleNukiID).pairingGDIO
        #expect(events == [.valueWritten(c, gdio, hex("0100030027A7")), .send(c, hex("13"))])
    }

    @Test mutating func longWriteJoinsPartsByOffset() throws {
        let c = server.connect()
        let gdio = NukiGATTProfile(nukiID: exampleNukiID).pairingGDIO
        let value = (0..<40).map { UInt8($0) }
        // Out of order and overlapping parts are fine as long as each lands within the joined value.
        #expect(try ask(c, "16 0300 0000" + hexString(value[0..<18])) == [hex("17 0300 0000") + value[0..<18]])
        #expect(try ask(c, "16 0300 1000" + hexString(value[16..<34])) == [hex("17 0300 1000") + value[16..<34]])
        #expect(try ask(c, "16 0300 2200" + hexString(value[34..<40])) == [hex("17 0300 2200") + value[34..<40]])
        let events = try server.receive(hex("18 01"), from: c, at: .zero)
        #expect(events == [.valueWritten(c, gdio, value), .send(c, hex("19"))])
    }

    @Test mutating func longWriteWithAGapIsInvalidOffset() throws {
        let c = server.connect()
        _ = try ask(c, "16 0300 0000" + String(repeating: "AA", count: 18))
        // Offset 36 leaves octets 18…35 unwritten: Part F §3.4.6.3 Invalid Offset, naming the handle.
        #expect(try ask(c, "16 0300 2400 BB") == [hex("17 0300 2400 BB")])
        #expect(try ask(c, "18 01") == [hex("01 18 0300 07")])
        // The queue is gone: a new Execute Write writes nothing.
        #expect(try ask(c, "18 01") == [hex("19")])
        // A long write whose first part is not at offset 0 has a gap too.
        _ = try ask(c, "16 0300 0100 AA")
        #expect(try ask(c, "18 01") == [hex("01 18 0300 07")])
        // Execute Write 0x00 cancels silently.
        _ = try ask(c, "16 0300 0000 AA")
        #expect(try ask(c, "18 00") == [hex("19")])
    }

    @Test func longWriteOverTheMaximumIsInvalidAttributeValueLength() throws {
        let database = try GATTDatabase([GATTServiceDefinition(uuid: ATTUUID(0xFFF0), characteristics: [
            GATTCharacteristicDefinition(uuid: ATTUUID(0xFFF1), properties: .write, maximumLength: 20),
        ])])
        var server = GATTServer(database: database)
        let c = server.connect()
        func ask(_ text: String) throws -> [[UInt8]] {
            try server.receive(hex(text), from: c, at: .zero).compactMap { if case .send(_, let o) = $0 { return o } else { return nil } }
        }
        #expect(try ask("12 0300" + String(repeating: "01", count: 20)) == [hex("13")])
        #expect(try ask("12 0300" + String(repeating: "01", count: 20)) == [hex("13")])
        _ = try ask("16 0300 0000" + String(repeating: "01", count: 18))
        _ = try ask("16 0300 1200 0203 04")
        #expect(try ask("18 01") == [hex("01 18 0300 0D")])
    }

    @Test mutating func clientConfigurationIsNotKeptAcrossConnections() throws {
        let gdio = NukiGATTProfile(nukiID: exampleNukiID).pairingGDIO
        let first = server.connect()
        #expect(try server.receive(hex("12 0400 0200"), from: first, at: .zero) == [.clientConfigurationChanged(first, gdio, 0x0002), .send(first, hex("13"))])
        #expect(try ask(first, "0A 0400") == [hex("0B 0200")])
        #expect(try server.indicate(hex("0E00009DD7"), on: gdio, to: first, at: .zero) == [.send(first, hex("1D 0300 0E00009DD7"))])
        server.disconnect(first)
        #expect(gattError { () throws(GATTError) in try server.indicate([1], on: gdio, to: first, at: .zero) }?.code == .unknownConnection)
        // Part G §3.3.3.3: a new connection starts with indications off.
        let second = server.connect()
        #expect(try ask(second, "0A 0400") == [hex("0B 0000")])
        #expect(server.clientConfiguration(of: gdio, on: second) == 0)
        #expect(gattError { () throws(GATTError) in try server.indicate([1], on: gdio, to: second, at: .zero) }?.code == .indicationsNotEnabled)
    }

    @Test mutating func indicationTimesOutAfter30Seconds() throws {
        let gdio = NukiGATTProfile(nukiID: exampleNukiID).pairingGDIO
        let c = server.connect()
        _ = try ask(c, "12 0400 0200")
        _ = try server.indicate(hex("0E00009DD7"), on: gdio, to: c, at: .seconds(100))
        #expect(server.nextDeadline == .seconds(130))
        #expect(server.tick(now: .seconds(129) + .milliseconds(999)) == [])
        #expect(server.tick(now: .seconds(130)) == [.indicationTimeout(c)])
        #expect(server.pendingIndications(on: c) == 0)
        // Part F §3.3.3: nothing more is sent on this bearer.
        #expect(gattError { () throws(GATTError) in try server.indicate([1], on: gdio, to: c, at: .seconds(131)) }?.code == .bearer)
        #expect(try ask(c, "1E", at: .seconds(131)) == [])
    }

    @Test mutating func oneIndicationOutstandingAtATime() throws {
        let gdio = NukiGATTProfile(nukiID: exampleNukiID).pairingGDIO
        let c = server.connect()
        _ = try ask(c, "12 0400 0200")
        let message = (0..<45).map { UInt8($0) }
        // 45 octets at MTU 23: chunks of 20, 20, 5; only the first goes out.
        #expect(try server.indicate(message, on: gdio, to: c, at: .zero) == [.send(c, hex("1D 0300") + message[0..<20])])
        #expect(try server.indicate(hex("0E00009DD7"), on: gdio, to: c, at: .zero) == [])
        #expect(server.pendingIndications(on: c) == 4)
        #expect(try server.receive(hex("1E"), from: c, at: .zero) == [.send(c, hex("1D 0300") + message[20..<40])])
        #expect(try server.receive(hex("1E"), from: c, at: .zero) == [.send(c, hex("1D 0300") + message[40..<45])])
        #expect(try server.receive(hex("1E"), from: c, at: .zero) == [.indicationConfirmed(c, gdio), .send(c, hex("1D 0300 0E00009DD7"))])
        #expect(try server.receive(hex("1E"), from: c, at: .zero) == [.indicationConfirmed(c, gdio)])
        #expect(server.pendingIndications(on: c) == 0)
    }
}

func hexString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    bytes.map { $0 < 0x10 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
