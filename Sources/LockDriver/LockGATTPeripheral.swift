import BLEATT
import BLEGATT
import LockCore
import LockSession
import LockWire
import NukiProfile

/// The lock's side of the Nuki profile in one value: the protocol engine (``LockSession/LockSessionEngine``)
/// behind the Nuki GATT server (``BLEGATT/GATTServer`` on ``NukiProfile/NukiGATTProfile``'s table).
///
/// One call per input, one pass, no recursion: an ATT PDU goes through the bearer and GATT, each
/// written value to the engine by the profile's value-handle map, each of the engine's actions back
/// out (an indication through ``BLEGATT/GATTServer/indicate(_:on:to:at:)``, cut at ATT_MTU − 3),
/// and the result is a flat list of ``Output``s in the order they must leave: the ATT responses of
/// the input first (a Write Response goes out before any indication its value causes), then each
/// written value's consequences in order. `docs/architecture.md` §6 hops 5–6 and 15–17.
///
/// Connections are named by ``BLEGATT/GATTConnectionID`` end to end; the engine's
/// ``LockSession/ConnectionID`` is the same number, converted only here.
public struct LockGATTPeripheral {
    /// What one input produced, in the order it must be delivered.
    public enum Output: Equatable {
        /// One ATT PDU (a response, an Error Response or a Handle Value Indication) for a connection.
        case send(GATTConnectionID, [UInt8])
        /// Close the connection (the engine dropped it, or an indication was not confirmed within 30 s).
        case drop(GATTConnectionID, reason: String)
        /// Something happened to the lock (for the event stream).
        case event(LockEvent)
        /// The engine refused a command on that connection (Error Report sent), for the event stream.
        case refused(GATTConnectionID, NukiErrorCode, command: Command, reason: String)
    }

    /// The protocol engine.
    public var engine: LockSessionEngine
    /// The GATT half (``NukiGATTServer``): the Nuki GATT server on the profile's table.
    public var server: NukiGATTServer
    /// The Nuki GATT server, one ATT bearer per connection.
    public var gatt: GATTServer {
        get { server.gatt }
        _modify { yield &server.gatt }
        set { server.gatt = newValue }
    }
    /// The handle table and its characteristic ↔ value handle map.
    public var profile: NukiGATTProfile { server.profile }

    /// The lock `engine` behind the GATT table its model has (`docs/wire.md` §1): the Ultra table for
    /// an Ultra / Go 5.x pairing flow, the model's firmware and hardware revisions; a bearer that
    /// refuses Exchange MTU on firmware without it (``LockCore/LockModel/exchangesMTU``) and, with
    /// ``LockCore/Weakness/unboundedReassembly``, queues Prepare Writes without a cap.
    public init(engine: LockSessionEngine) {
        let model = engine.machine.model
        let profile = NukiGATTProfile(
            nukiID: engine.machine.nukiID, variant: model.wireContext.ultraPairing ? .ultra : .smartLock,
            firmwareRevision: model.firmwareVersion.description, hardwareRevision: model.hardwareRevision.description)
        var bearer: ATTBearer.Configuration =
            engine.weaknesses.contains(.unboundedReassembly) ? .init(maxPreparedWrites: .max, maxPreparedBytes: .max) : .init()
        bearer.exchangesMTU = model.exchangesMTU
        server = NukiGATTServer(profile: profile, bearer: bearer)
        self.engine = engine
    }

    /// The engine's number for a GATT connection (the same number).
    public static func engineID(_ id: GATTConnectionID) -> ConnectionID { ConnectionID(id.rawValue) }

    /// The GATT connection of an engine connection (the same number).
    public static func gattID(_ id: ConnectionID) -> GATTConnectionID { GATTConnectionID(rawValue: id.rawValue) }

    /// Opens a connection on the GATT server and the engine; returns its id and what the engine
    /// said on connecting.
    public mutating func connect(at mono: Duration) -> (id: GATTConnectionID, outputs: [Output]) {
        let id = server.connect()
        return (id, route(engine.connect(Self.engineID(id)), at: mono))
    }

    /// Forgets a connection on both layers (its bearer, CCCDs, queued indications, session).
    public mutating func disconnect(_ id: GATTConnectionID) {
        server.disconnect(id)
        engine.disconnect(Self.engineID(id))
    }

    /// The authorization a connection has proven, nil while unauthenticated.
    public func authID(of id: GATTConnectionID) -> UInt32? { engine.authID(of: Self.engineID(id)) }

    /// One ATT PDU from connection `id`, in one pass through the bearer, GATT, the engine and back.
    /// - Parameters:
    ///   - mono: the monotonic time (ATT transaction timeouts).
    ///   - now: the lock's time for the engine.
    ///   - refusingWrites: hand each written value to ``LockSession/LockSessionEngine/refuseUnpersisted(_:on:from:)``
    ///     instead (a write whose save failed, `docs/architecture.md` §7).
    /// - Throws: ``BLEGATT/GATTError`` when the connection is unknown or its bearer is closed: drop it.
    public mutating func receive(
        _ pdu: [UInt8], from id: GATTConnectionID, at mono: Duration, now: LockInstant, refusingWrites: Bool = false
    ) throws(GATTError) -> [Output] {
        let events = try server.receive(pdu, from: id, at: mono)
        // ATT responses first: a Write Response goes out before the indications its value causes.
        var outputs: [Output] = []
        for case .send(let to, let octets) in events { outputs.append(.send(to, octets)) }
        for event in events {
            switch event {
            case .written(let from, let which, let value):
                let connection = Self.engineID(from)
                let actions =
                    refusingWrites
                    ? engine.refuseUnpersisted(value, on: which, from: connection) : engine.receive(value, on: which, from: connection, at: now)
                outputs += route(actions, at: mono)
            case .mtuChanged(let on, let mtu):
                // The engine needs the ATT_MTU to tell a message split over two plain writes
                // (`docs/wire.md` §13) from a short malformed one.
                engine.setATTMTU(mtu, for: Self.engineID(on))
            case .indicationTimeout(let to):
                outputs.append(.drop(to, reason: "indication timeout"))
            case .send, .indicationConfirmed:
                continue
            }
        }
        return outputs
    }

    /// The engine's actions (from ``receive(_:from:at:now:refusingWrites:)``, or produced outside a
    /// write: timers, the button, a key turn) as outputs: each indication through GATT, which yields
    /// only PDUs to send. An indication on a characteristic whose indications the client has not
    /// enabled is dropped (nothing to send it on).
    public mutating func route(_ actions: [LockSessionEngine.Action], at mono: Duration) -> [Output] {
        var outputs: [Output] = []
        for action in actions {
            switch action {
            case .indicate(let connection, let which, let bytes):
                guard let sends = try? server.indicate(bytes, on: which, to: Self.gattID(connection), at: mono) else { continue }
                for case .send(let to, let octets) in sends { outputs.append(.send(to, octets)) }
            case .disconnect(let connection, let reason):
                outputs.append(.drop(Self.gattID(connection), reason: reason))
            case .event(let event):
                outputs.append(.event(event))
            case .refused(let connection, let code, let command, let reason):
                outputs.append(.refused(Self.gattID(connection), code, command: command, reason: reason))
            }
        }
        return outputs
    }

    /// ATT transaction timeouts due by `mono` (Core 5.4 Vol 3 Part F §3.3.3): each connection whose
    /// indication went unconfirmed for 30 s is to be dropped.
    public mutating func tick(now mono: Duration) -> [Output] {
        server.tick(now: mono).compactMap { event in
            switch event {
            case .send(let to, let octets): .send(to, octets)
            case .indicationTimeout(let to): .drop(to, reason: "indication timeout")
            default: nil
            }
        }
    }
}
