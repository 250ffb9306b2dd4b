import BLEATT
import BLEGATT
import NukiProfile

/// The GATT half of a Nuki lock: its ``BLEGATT/GATTServer`` on a ``NukiProfile/NukiGATTProfile``
/// table, with the server's events read in the profile's terms (a written value names its Nuki
/// ``NukiProfile/Characteristic``), whatever engine sits behind it.
///
/// Shared by ``LockGATTPeripheral`` (the honest lock: `LockServer`, the rooms, the demo) and the
/// hostile lock server (`latchkey lock serve --hostile`, `latchkey fuzz-client`), which shapes the
/// indications itself. Sans-I/O: PDUs in, PDUs and events out. `docs/architecture.md` §6 hops 5–6
/// and 15–17, §10.
public struct NukiGATTServer {
    /// What the GATT server made of an input, in the server's order. A caller answering a PDU
    /// sends all of its ``send(_:_:)``s before acting on the rest (a Write Response goes out before
    /// any indication its value causes).
    public enum Event: Equatable {
        /// One ATT PDU (a response, an Error Response, a Handle Value Indication) for a connection.
        case send(GATTConnectionID, [UInt8])
        /// A client wrote `value` to the Nuki characteristic (a Write Request, a Write Command or an
        /// executed long write); the engine is to read it.
        case written(GATTConnectionID, Characteristic, [UInt8])
        /// The connection's ATT_MTU changed (Exchange MTU, Core 5.4 Vol 3 Part F §3.4.2).
        case mtuChanged(GATTConnectionID, Int)
        /// The client confirmed the indication in flight (Handle Value Confirmation, §3.4.7.3).
        case indicationConfirmed(GATTConnectionID)
        /// An indication went unconfirmed for 30 s (§3.3.3): drop the connection.
        case indicationTimeout(GATTConnectionID)
    }

    /// The GATT server, one ATT bearer per connection.
    public var gatt: GATTServer
    /// The handle table and its characteristic ↔ value handle map.
    public let profile: NukiGATTProfile

    /// A server on `profile`'s table whose bearers are made with `bearer`.
    public init(profile: NukiGATTProfile, bearer: ATTBearer.Configuration = .init()) {
        self.profile = profile
        gatt = GATTServer(database: profile.database, bearerConfiguration: bearer)
    }

    /// Opens a connection.
    public mutating func connect() -> GATTConnectionID { gatt.connect() }

    /// Forgets a connection (its bearer, CCCDs, queued indications).
    public mutating func disconnect(_ id: GATTConnectionID) { gatt.disconnect(id) }

    /// One ATT PDU from connection `id` at monotonic time `mono`.
    /// - Throws: ``BLEGATT/GATTError`` when the connection is unknown: drop it.
    public mutating func receive(_ pdu: [UInt8], from id: GATTConnectionID, at mono: Duration) throws(GATTError) -> [Event] {
        read(try gatt.receive(pdu, from: id, at: mono))
    }

    /// Indicates `bytes` on `characteristic` to `id`, cut at ATT_MTU − 3 and queued behind any
    /// indication in flight.
    /// - Returns: the PDUs to send now (``Event/send(_:_:)`` only).
    /// - Throws: ``BLEGATT/GATTError`` when the connection is unknown or has not enabled indications
    ///   on `characteristic` (nothing to send it on).
    public mutating func indicate(_ bytes: [UInt8], on characteristic: Characteristic, to id: GATTConnectionID, at mono: Duration) throws(GATTError)
        -> [Event]
    {
        read(try gatt.indicate(bytes, on: profile.characteristic(characteristic), to: id, at: mono))
    }

    /// ATT transaction timeouts due by `mono` (Core 5.4 Vol 3 Part F §3.3.3).
    public mutating func tick(now mono: Duration) -> [Event] { read(gatt.tick(now: mono)) }

    private func read(_ events: [GATTServer.Event]) -> [Event] {
        var result: [Event] = []
        for event in events {
            switch event {
            case .send(let to, let octets):
                result.append(.send(to, octets))
            case .valueWritten(let from, let characteristic, let value):
                guard let which = profile.characteristic(atValueHandle: characteristic.valueHandle) else { continue }
                result.append(.written(from, which, value))
            case .mtuChanged(let on, let mtu):
                result.append(.mtuChanged(on, mtu))
            case .indicationConfirmed(let on, _):
                result.append(.indicationConfirmed(on))
            case .indicationTimeout(let on):
                result.append(.indicationTimeout(on))
            default:
                continue
            }
        }
        return result
    }
}
