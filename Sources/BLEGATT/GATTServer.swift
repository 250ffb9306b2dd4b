import BLEATT

/// A GATT server, sans-I/O (Bluetooth Core 5.4, Vol 3, Part G): answers a client's discovery,
/// reads and writes from a ``GATTDatabase`` over one ``BLEATT/ATTBearer`` per connection, and
/// sends indications with confirmation.
///
/// Use: ``connect(configuration:)`` when a client connects, feed each received ATT PDU to
/// ``receive(_:from:at:)``, transmit every ``Event/send(_:_:)`` on that connection, call
/// ``tick(now:)`` for the 30 s transaction timeout, and ``disconnect(_:)`` when the link goes.
/// Time is a `Duration` since any fixed origin, passed in; the server never reads a clock.
///
/// What it answers (Part G §4 procedures, Part F §3.4 PDUs):
/// - Read By Group Type for «Primary Service» (§4.4.1, F §3.4.4.9): entries of the first entry's
///   value length that fit ATT_MTU; any other group type → Unsupported Group Type (0x10).
/// - Find By Type Value (§4.4.2, F §3.4.3.3): exact value match; the group end of a service
///   declaration is its last handle, of any other attribute the attribute itself (F §3.4.3.4).
/// - Read By Type (§4.6.1 with «Characteristic», or any type, F §3.4.4.1): pairs of the first
///   pair's length, values cut to min(ATT_MTU − 4, 253); a first match that is not readable →
///   Read Not Permitted with its handle.
/// - Find Information (§4.7.1, F §3.4.3.1): pairs of the first pair's UUID width.
/// - Read / Read Blob (§4.8.1, §4.8.3): Invalid Handle, Read Not Permitted, Invalid Offset (0x07)
///   when the offset is past the end; an offset equal to the length reads empty (F §3.4.4.5).
/// - Write Request / Write Command (§4.9.3, §4.9.1): Invalid Handle, Write Not Permitted (0x03),
///   Invalid Attribute Value Length (0x0D) over the attribute's maximum. A Write Command that
///   would fail is dropped (commands are never answered).
/// - Prepare / Execute Write (§4.9.4, F §3.4.6): prepare checks handle and permission and echoes;
///   "attribute value validation is done when an ATT_EXECUTE_WRITE_REQ is received" (F §3.4.6.1),
///   so Execute Write joins the queued parts of each handle by offset **starting from an empty
///   value**: a part whose offset is past the bytes joined so far (a gap, or a first part not at 0)
///   → Invalid Offset (0x07); a joined value over the maximum → Invalid Attribute Value Length
///   (0x0D); both name the handle. Values are reported only when every handle validates.
/// - CCCD (0x2902, §3.3.3.3): read and written per connection, 2 octets exactly (else 0x0D), not
///   kept across connections: a new ``GATTConnectionID`` starts at 0x0000.
///
/// Indications (§4.11, F §3.4.7.2): ``indicate(_:on:to:at:)`` sends a message in one indication
/// when it fits ATT_MTU − 3, else in ATT_MTU − 3 chunks (docs/wire.md §1.2), one outstanding at a
/// time: the next chunk goes out on the confirmation. ``Event/indicationConfirmed(_:_:)`` follows
/// the last chunk's confirmation; ``Event/indicationTimeout(_:)`` follows 30 s without one.
public struct GATTServer: Sendable {
    /// The attributes served.
    public let database: GATTDatabase
    private var connections: [GATTConnectionID: Connection] = [:]
    private var nextConnection: UInt64 = 1

    /// The bearer parameters of a connection registered without its own (``connect(configuration:)``).
    public let bearerConfiguration: ATTBearer.Configuration

    /// A server for `database` with no connection; new connections get `bearerConfiguration`.
    public init(database: GATTDatabase, bearerConfiguration: ATTBearer.Configuration = .init()) {
        self.database = database
        self.bearerConfiguration = bearerConfiguration
    }

    /// The connected clients.
    public var connectionIDs: [GATTConnectionID] { connections.keys.sorted() }

    /// Registers a new client connection with a fresh bearer (ATT_MTU 23, CCCDs 0x0000), with
    /// `configuration` or else ``bearerConfiguration``.
    public mutating func connect(configuration: ATTBearer.Configuration? = nil) -> GATTConnectionID {
        let id = GATTConnectionID(rawValue: nextConnection)
        nextConnection += 1
        connections[id] = Connection(bearer: ATTBearer(configuration: configuration ?? bearerConfiguration))
        return id
    }

    /// Forgets a connection: its CCCD values, prepared writes and queued indications.
    public mutating func disconnect(_ id: GATTConnectionID) {
        connections[id] = nil
    }

    /// The connection's ATT_MTU, or `nil` when it is not connected.
    public func mtu(of id: GATTConnectionID) -> Int? { connections[id]?.bearer.mtu }

    /// The connection's bearer, for inspection.
    public func bearer(of id: GATTConnectionID) -> ATTBearer? { connections[id]?.bearer }

    /// The CCCD value `id` has written for `characteristic` (0x0000 when never written).
    public func clientConfiguration(of characteristic: GATTCharacteristic, on id: GATTConnectionID) -> UInt16 {
        guard let handle = characteristic.clientConfigurationHandle else { return 0 }
        return connections[id]?.clientConfigurations[handle] ?? 0
    }

    /// Chunks queued or awaiting confirmation on `id`.
    public func pendingIndications(on id: GATTConnectionID) -> Int {
        guard let c = connections[id] else { return 0 }
        return c.queue.count - c.queueHead + (c.inFlight == nil ? 0 : 1)
    }

    /// When ``tick(now:)`` will next report a timeout, or `nil`.
    public var nextDeadline: Duration? {
        connections.values.compactMap(\.bearer.nextDeadline).min()
    }

    // MARK: Receiving

    /// Processes one ATT PDU received from `id`. Never traps on input. Throws only
    /// ``GATTError/Code/unknownConnection``.
    public mutating func receive(_ bytes: [UInt8], from id: GATTConnectionID, at now: Duration) throws(GATTError) -> [Event] {
        guard var connection = connections.removeValue(forKey: id) else {
            throw GATTError(.unknownConnection, "\(id) is not connected")
        }
        defer { connections[id] = connection }
        var events: [Event] = []
        for event in connection.bearer.receive(bytes[...]) {
            switch event {
            case .send(let octets):
                events.append(.send(id, octets))
            case .request(let pdu):
                let (reply, effects) = answer(pdu, connection: &connection, id: id)
                events += effects
                let octets: [UInt8]
                do {
                    switch reply {
                    case .pdu(let response): octets = try connection.bearer.send(response, at: now)
                    case .error(let code, let handle): octets = try connection.bearer.sendError(code, handle: handle, at: now)
                    }
                } catch {
                    events.append(.protocolViolation(id, error))
                    continue
                }
                events.append(.send(id, octets))
            case .executeWrite(let writes):
                let (reply, effects) = execute(writes, connection: &connection, id: id)
                events += effects
                do {
                    let octets: [UInt8]
                    switch reply {
                    case .pdu(let response): octets = try connection.bearer.send(response, at: now)
                    case .error(let code, let handle): octets = try connection.bearer.sendError(code, handle: handle, at: now)
                    }
                    events.append(.send(id, octets))
                } catch {
                    events.append(.protocolViolation(id, error))
                }
            case .command(let pdu):
                events += command(pdu, connection: &connection, id: id)
            case .notification(let pdu), .indication(let pdu), .response(let pdu):
                events.append(.protocolViolation(id, ATTError(.invalidPDU, "\(pdu.opcode) sent to a GATT server; dropped")))
            case .confirmation:
                events += confirmed(connection: &connection, id: id, at: now)
            case .mtuChanged(let mtu):
                events.append(.mtuChanged(id, mtu))
            case .indicationTimeout:
                connection.dropIndications()
                events.append(.indicationTimeout(id))
            case .requestTimeout:
                break  // the server sends no requests
            case .protocolViolation(let error):
                events.append(.protocolViolation(id, error))
            }
        }
        return events
    }

    // MARK: Indications

    /// Queues `message` for indication on `characteristic` (matched by value handle) to `id`:
    /// one indication when it fits ATT_MTU − 3, else ATT_MTU − 3-octet chunks (the last shorter),
    /// sent one at a time (Part F §3.3.2), each after the previous confirmation.
    ///
    /// Throws ``GATTError/Code/unknownConnection``, ``GATTError/Code/unknownCharacteristic`` (no such
    /// value handle), ``GATTError/Code/indicationsNotEnabled`` (no indicate property, or the
    /// connection's CCCD has bit 1 clear, Part G §3.3.3.3), ``GATTError/Code/bearer`` (bearer
    /// closed after a timeout).
    public mutating func indicate(_ message: [UInt8], on characteristic: GATTCharacteristic, to id: GATTConnectionID, at now: Duration) throws(GATTError) -> [Event] {
        guard var connection = connections.removeValue(forKey: id) else {
            throw GATTError(.unknownConnection, "\(id) is not connected")
        }
        defer { connections[id] = connection }
        guard let served = database.characteristic(valueHandle: characteristic.valueHandle) else {
            throw GATTError(.unknownCharacteristic, "no characteristic value at handle \(characteristic.valueHandle)")
        }
        guard served.properties.contains(.indicate), let cccd = served.clientConfigurationHandle,
            (connection.clientConfigurations[cccd] ?? 0) & 0x0002 != 0
        else {
            throw GATTError(.indicationsNotEnabled, "\(id) has not enabled indications on \(served.uuid)")
        }
        guard !connection.bearer.isClosed else {
            throw GATTError(.bearer, "the bearer of \(id) is closed after a transaction timeout")
        }
        let size = max(1, connection.bearer.maximumHandleValueLength)
        if message.count <= size {
            connection.queue.append(.init(characteristic: served, value: message, isLast: true))
        } else {
            var start = message.startIndex
            while start < message.endIndex {
                let end = min(start + size, message.endIndex)
                connection.queue.append(.init(characteristic: served, value: Array(message[start..<end]), isLast: end == message.endIndex))
                start = end
            }
        }
        return sendNextChunk(connection: &connection, id: id, at: now)
    }

    // MARK: Time

    /// Runs the transaction timeout (Part F §3.3.3) on every connection at `now`.
    public mutating func tick(now: Duration) -> [Event] {
        var events: [Event] = []
        for id in connections.keys.sorted() {
            guard var connection = connections.removeValue(forKey: id) else { continue }
            for event in connection.bearer.tick(now: now) where event == .indicationTimeout {
                connection.dropIndications()
                events.append(.indicationTimeout(id))
            }
            connections[id] = connection
        }
        return events
    }

    // MARK: Internals

    private func confirmed(connection: inout Connection, id: GATTConnectionID, at now: Duration) -> [Event] {
        var events: [Event] = []
        if let done = connection.inFlight {
            connection.inFlight = nil
            if done.isLast { events.append(.indicationConfirmed(id, done.characteristic)) }
        }
        return events + sendNextChunk(connection: &connection, id: id, at: now)
    }

    private func sendNextChunk(connection: inout Connection, id: GATTConnectionID, at now: Duration) -> [Event] {
        guard connection.inFlight == nil, let chunk = connection.dequeue() else { return [] }
        do {
            let octets = try connection.bearer.send(.handleValueIndication(handle: chunk.characteristic.valueHandle, value: chunk.value), at: now)
            connection.inFlight = chunk
            return [.send(id, octets)]
        } catch {
            connection.dropIndications()
            return [.protocolViolation(id, error)]
        }
    }
}
