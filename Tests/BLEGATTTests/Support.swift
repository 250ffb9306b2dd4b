import BLEATT
import BLEGATT
import Foundation
import Testing

/// Parses "0A 03 00" into bytes; an empty array on junk, which no vector is.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") })
    guard digits.count % 2 == 0 else { return [] }
    var bytes: [UInt8] = []
    var i = 0
    while i < digits.count {
        guard let byte = UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) else { return [] }
        bytes.append(byte)
        i += 2
    }
    return bytes
}

/// A GATT client and server wired back to back in memory: every send is delivered at once, in
/// order, and recorded (`trace`: true = client → server).
struct BackToBack {
    var server: GATTServer
    var client: GATTClient
    var connection: GATTConnectionID
    var now: Duration = .zero
    var trace: [(fromClient: Bool, pdu: [UInt8])] = []
    var serverEvents: [GATTServer.Event] = []
    var clientEvents: [GATTClient.Event] = []
    private var toServer: [[UInt8]] = []
    private var toClient: [[UInt8]] = []

    init(database: GATTDatabase, serverMTU: Int = 517, clientMTU: Int = 517) {
        server = GATTServer(database: database)
        connection = server.connect(configuration: .init(localMTU: serverMTU))
        client = GATTClient(configuration: .init(localMTU: clientMTU))
    }

    mutating func perform(_ procedure: GATTClient.Procedure) {
        absorb(client: client.perform(procedure, at: now))
        run()
    }

    mutating func indicate(_ message: [UInt8], on characteristic: GATTCharacteristic) throws(GATTError) {
        absorb(server: try server.indicate(message, on: characteristic, to: connection, at: now))
        run()
    }

    mutating func run() {
        while !toServer.isEmpty || !toClient.isEmpty {
            if !toServer.isEmpty {
                let pdu = toServer.removeFirst()
                do {
                    absorb(server: try server.receive(pdu, from: connection, at: now))
                } catch {
                    Issue.record("server refused input: \(error)")
                }
            }
            if !toClient.isEmpty {
                absorb(client: client.receive(toClient.removeFirst(), at: now))
            }
        }
    }

    private mutating func absorb(client events: [GATTClient.Event]) {
        for event in events {
            if case .send(let pdu) = event {
                trace.append((true, pdu))
                toServer.append(pdu)
            } else {
                clientEvents.append(event)
            }
        }
    }

    mutating func absorb(server events: [GATTServer.Event]) {
        for event in events {
            if case .send(_, let pdu) = event {
                trace.append((false, pdu))
                toClient.append(pdu)
            } else {
                serverEvents.append(event)
            }
        }
    }

    /// The indication values the client reported, in order.
    var indications: [[UInt8]] {
        clientEvents.compactMap { if case .indication(_, let value) = $0 { return value } else { return nil } }
    }
}

/// Runs `body` and returns the typed error it throws, or `nil`.
func gattError<T>(_ body: () throws(GATTError) -> T) -> GATTError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The Nuki ID of the examples (the Opener capture of docs/wire.md §1.3).
let exampleNukiID: UInt32 = 0x2A37_599A
