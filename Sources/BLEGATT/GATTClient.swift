import BLEATT

/// A GATT client, sans-I/O (Bluetooth Core 5.4, Vol 3, Part G, §4): runs discovery, reads,
/// writes (long writes included) and CCCD configuration over one ``BLEATT/ATTBearer``, and
/// confirms indications.
///
/// Use: ``perform(_:at:)`` queues a ``Procedure`` (one runs at a time, Part F §3.3.2); feed every
/// received ATT PDU to ``receive(_:at:)``; transmit every ``Event/send(_:)``; call ``tick(now:)``
/// for the 30 s transaction timeout (Part F §3.3.3), after which every queued procedure fails with
/// ``GATTError/Code/timeout``. Time is a `Duration` since any fixed origin, passed in.
///
/// The discovered profile accumulates in ``services``. Indications (§4.11) are confirmed at once
/// and reported as ``Event/indication(handle:value:)``, one per indication: joining chunks into
/// messages is the layer above's business (docs/wire.md §1.2).
///
/// Responses are checked as well as parsed: discovery handles must lie in the requested range and
/// grow; a characteristic declaration value must be 5 or 19 octets (§3.3.1); a Prepare Write
/// Response must echo the request (§4.9.4), else the client cancels the queue (Execute Write
/// 0x00) and fails the write with ``GATTError/Code/invalidResponse``. An Error Response to a
/// Prepare Write also cancels the queue before the write fails.
public struct GATTClient: Sendable {
    private enum Task: Sendable {
        case services(filter: ATTUUID?, next: Int, found: [GATTService], expand: Bool)
        case characteristics(GATTService, next: Int, found: [GATTCharacteristic], expand: Bool)
        case descriptors(GATTCharacteristic, next: Int, found: [GATTDescriptor])
        case finish
    }

    private enum Running: Sendable {
        case exchange(Procedure)
        case discovery(Procedure, [Task])
        case read(Procedure, handle: UInt16, value: [UInt8])
        case write(Procedure, handle: UInt16)
        case prepare(Procedure, handle: UInt16, value: [UInt8], sent: ATTPreparedWrite)
        case execute(Procedure, handle: UInt16)
        case cancel(Procedure, GATTError)
    }

    /// The ATT bearer (MTU, outstanding request, timeout state).
    public private(set) var bearer: ATTBearer
    /// The profile discovered so far, in handle order.
    public private(set) var services: [GATTService] = []
    private var queue: [Procedure] = []
    private var running: Running?

    /// A client with a fresh bearer (ATT_MTU 23).
    public init(configuration: ATTBearer.Configuration = .init()) {
        bearer = ATTBearer(configuration: configuration)
    }

    /// True when no procedure runs or waits.
    public var isIdle: Bool { running == nil && queue.isEmpty }
    /// The current ATT_MTU.
    public var mtu: Int { bearer.mtu }
    /// When ``tick(now:)`` will next report a timeout, or `nil`.
    public var nextDeadline: Duration? { bearer.nextDeadline }

    /// The first discovered characteristic with an equivalent UUID, in `service` when given.
    public func characteristic(_ uuid: ATTUUID, in service: ATTUUID? = nil) -> GATTCharacteristic? {
        for s in services where service.map({ s.uuid.isEquivalent(to: $0) }) ?? true {
            if let c = s.characteristic(uuid) { return c }
        }
        return nil
    }

    /// The discovered characteristic whose value is at `handle`.
    public func characteristic(valueHandle handle: UInt16) -> GATTCharacteristic? {
        for s in services {
            if let c = s.characteristics.first(where: { $0.valueHandle == handle }) { return c }
        }
        return nil
    }

    // MARK: API

    /// Queues `procedure`; returns the sends (and any immediate outcome) when it starts now.
    public mutating func perform(_ procedure: Procedure, at now: Duration) -> [Event] {
        queue.append(procedure)
        return startNext(now)
    }

    /// Processes one received ATT PDU. Never traps on input.
    public mutating func receive(_ bytes: [UInt8], at now: Duration) -> [Event] {
        var events: [Event] = []
        for event in bearer.receive(bytes[...]) {
            switch event {
            case .send(let octets):
                events.append(.send(octets))
            case .request, .executeWrite:
                // This side serves no attributes (Part F §3.4.1.1: Request Not Supported).
                if let octets = try? bearer.sendError(.requestNotSupported, handle: 0, at: now) { events.append(.send(octets)) }
            case .command:
                break
            case .notification(.handleValueNotification(let handle, let value)):
                events.append(.notification(handle: handle, value: value))
            case .indication(.handleValueIndication(let handle, let value)):
                events.append(.indication(handle: handle, value: value))
                do {
                    events.append(.send(try bearer.send(.handleValueConfirmation, at: now)))
                } catch {
                    events.append(.protocolViolation(error))
                }
            case .notification, .indication:
                break
            case .response(let pdu):
                events += handleResponse(pdu, now)
            case .confirmation:
                events.append(.protocolViolation(ATTError(.noIndicationPending, "confirmation to a GATT client; dropped")))
            case .mtuChanged(let mtu):
                events.append(.mtuChanged(mtu))
            case .requestTimeout:
                events += failAll(GATTError(.timeout, "no response within 30 s (Part F §3.3.3); the bearer is closed"))
            case .indicationTimeout:
                break
            case .protocolViolation(let error):
                events.append(.protocolViolation(error))
            }
        }
        return events
    }

    /// Runs the transaction timeout at `now` (Part F §3.3.3).
    public mutating func tick(now: Duration) -> [Event] {
        var events: [Event] = []
        for event in bearer.tick(now: now) {
            if case .requestTimeout = event {
                events += failAll(GATTError(.timeout, "no response within 30 s (Part F §3.3.3); the bearer is closed"))
            }
        }
        return events
    }

    // MARK: Starting

    private mutating func startNext(_ now: Duration) -> [Event] {
        var events: [Event] = []
        while running == nil, !queue.isEmpty {
            let procedure = queue.removeFirst()
            events += begin(procedure, now)
        }
        return events
    }

    private mutating func begin(_ procedure: Procedure, _ now: Duration) -> [Event] {
        switch procedure {
        case .exchangeMTU(let rx):
            return request(.exchangeMTURequest(clientRxMTU: rx), as: .exchange(procedure), procedure, now)
        case .discoverPrimaryServices:
            return advance(procedure, [.services(filter: nil, next: 1, found: [], expand: false)], now)
        case .discoverPrimaryService(let uuid):
            return advance(procedure, [.services(filter: uuid, next: 1, found: [], expand: false)], now)
        case .discoverCharacteristics(let service):
            return advance(procedure, [.characteristics(service, next: Int(service.handle) + 1, found: [], expand: false)], now)
        case .discoverDescriptors(let c):
            return advance(procedure, [.descriptors(c, next: Int(c.valueHandle) + 1, found: [])], now)
        case .discoverAll:
            return advance(procedure, [.services(filter: nil, next: 1, found: [], expand: true), .finish], now)
        case .read(let handle):
            return request(.readRequest(handle: handle), as: .read(procedure, handle: handle, value: []), procedure, now)
        case .write(let handle, let value):
            guard value.count <= ATTLimits.maximumAttributeValue else {
                return [.failed(procedure, GATTError(.valueTooLong, "\(value.count) octets; an attribute holds at most 512 (Part F §3.2.9)"))]
            }
            if value.count <= bearer.maximumHandleValueLength {
                return request(.writeRequest(handle: handle, value: value), as: .write(procedure, handle: handle), procedure, now)
            }
            return prepare(procedure, handle, value, offset: 0, now)
        case .writeWithoutResponse(let handle, let value):
            guard value.count <= bearer.maximumHandleValueLength else {
                return [.failed(procedure, GATTError(.valueTooLong, "a Write Command carries at most ATT_MTU − 3 = \(bearer.maximumHandleValueLength) octets"))]
            }
            do {
                return [.send(try bearer.send(.writeCommand(handle: handle, value: value), at: now))]
            } catch {
                return [.failed(procedure, GATTError(error))]
            }
        case .setIndications(let c, let enabled):
            guard let cccd = c.clientConfigurationHandle else {
                return [.failed(procedure, GATTError(.unknownCharacteristic, "\(c.uuid) has no discovered CCCD (Part G §3.3.3.3)"))]
            }
            let value: [UInt8] = enabled ? [0x02, 0x00] : [0x00, 0x00]
            return request(.writeRequest(handle: cccd, value: value), as: .write(procedure, handle: cccd), procedure, now)
        }
    }

    private mutating func request(_ pdu: ATTPDU, as state: Running, _ procedure: Procedure, _ now: Duration) -> [Event] {
        do {
            let octets = try bearer.send(pdu, at: now)
            running = state
            return [.send(octets)]
        } catch {
            running = nil
            return [.failed(procedure, GATTError(error))]
        }
    }

    private mutating func prepare(_ procedure: Procedure, _ handle: UInt16, _ value: [UInt8], offset: Int, _ now: Duration) -> [Event] {
        let size = max(1, bearer.mtu - 5)
        let end = min(offset + size, value.count)
        guard let wireOffset = UInt16(exactly: offset) else {
            return [.failed(procedure, GATTError(.valueTooLong, "offset \(offset) does not fit u16"))]
        }
        let part = ATTPreparedWrite(handle: handle, offset: wireOffset, value: Array(value[offset..<end]))
        return request(.prepareWriteRequest(part), as: .prepare(procedure, handle: handle, value: value, sent: part), procedure, now)
    }

    // MARK: Responses

    private mutating func handleResponse(_ pdu: ATTPDU, _ now: Duration) -> [Event] {
        guard let state = running else { return [] }
        running = nil
        var events: [Event] = []
        switch state {
        case .exchange(let procedure):
            if case .errorResponse(let e) = pdu {
                events.append(.failed(procedure, Self.refused(e)))
            } else {
                events.append(.mtuExchanged(bearer.mtu))
            }
        case .discovery(let procedure, let tasks):
            events += discoveryResponse(procedure, tasks, pdu, now)
        case .read(let procedure, let handle, let value):
            switch pdu {
            case .readResponse(let part), .readBlobResponse(let part):
                let whole = value + part
                if part.count == bearer.mtu - 1, whole.count < ATTLimits.maximumAttributeValue, let offset = UInt16(exactly: whole.count) {
                    events += request(.readBlobRequest(handle: handle, offset: offset), as: .read(procedure, handle: handle, value: whole), procedure, now)
                } else {
                    events.append(.valueRead(handle: handle, value: whole))
                }
            case .errorResponse(let e) where !value.isEmpty && (e.error == .attributeNotLong || e.error == .invalidOffset):
                events.append(.valueRead(handle: handle, value: value))
            case .errorResponse(let e):
                events.append(.failed(procedure, Self.refused(e)))
            default:
                events.append(.failed(procedure, GATTError(.invalidResponse, "\(pdu.opcode) does not answer a read")))
            }
        case .write(let procedure, let handle), .execute(let procedure, let handle):
            if case .errorResponse(let e) = pdu {
                events.append(.failed(procedure, Self.refused(e)))
            } else {
                events.append(.valueWritten(handle: handle))
            }
        case .prepare(let procedure, let handle, let value, let sent):
            switch pdu {
            case .prepareWriteResponse(let echo) where echo == sent:
                let next = Int(sent.offset) + sent.value.count
                if next < value.count {
                    events += prepare(procedure, handle, value, offset: next, now)
                } else {
                    events += request(.executeWriteRequest(.write), as: .execute(procedure, handle: handle), procedure, now)
                }
            case .errorResponse(let e):
                events += cancelQueue(procedure, Self.refused(e), now)
            default:
                events += cancelQueue(procedure, GATTError(.invalidResponse, "the Prepare Write Response does not echo the request (Part G §4.9.4)"), now)
            }
        case .cancel(let procedure, let error):
            events.append(.failed(procedure, error))
        }
        return events + startNext(now)
    }

    private mutating func cancelQueue(_ procedure: Procedure, _ error: GATTError, _ now: Duration) -> [Event] {
        let events = request(.executeWriteRequest(.cancel), as: .cancel(procedure, error), procedure, now)
        if running == nil { return [.failed(procedure, error)] }
        return events
    }

    private static func refused(_ e: ATTErrorResponse) -> GATTError {
        GATTError(.errorResponse, "\(e.requestOpcode) refused: \(e.error) at handle \(e.handle)", errorResponse: e)
    }

    private mutating func failAll(_ error: GATTError) -> [Event] {
        var failed: [Procedure] = []
        if let state = running {
            switch state {
            case .exchange(let p), .discovery(let p, _), .read(let p, _, _), .write(let p, _), .prepare(let p, _, _, _),
                .execute(let p, _), .cancel(let p, _):
                failed.append(p)
            }
        }
        running = nil
        failed += queue
        queue.removeAll()
        return failed.map { .failed($0, error) }
    }

    // MARK: Discovery

    private mutating func discoveryResponse(_ procedure: Procedure, _ tasks: [Task], _ pdu: ATTPDU, _ now: Duration) -> [Event] {
        guard var task = tasks.first else { return [] }
        var rest = Array(tasks.dropFirst())
        let invalid = { (why: String) -> [Event] in [.failed(procedure, GATTError(.invalidResponse, why))] }
        if case .errorResponse(let e) = pdu {
            guard e.error == .attributeNotFound else { return [.failed(procedure, Self.refused(e))] }
            // Attribute Not Found ends this step (§4.4.1, §4.6.1, §4.7.1).
            switch task {
            case .services(let f, _, let found, let x): task = .services(filter: f, next: 0x1_0000, found: found, expand: x)
            case .characteristics(let s, _, let found, let x): task = .characteristics(s, next: 0x1_0000, found: found, expand: x)
            case .descriptors(let c, _, let found): task = .descriptors(c, next: 0x1_0000, found: found)
            case .finish: break
            }
            rest.insert(task, at: 0)
            return advance(procedure, rest, now)
        }
        switch (task, pdu) {
        case (.services(nil, let next, var found, let expand), .readByGroupTypeResponse(let entries)):
            var cursor = next
            for entry in entries {
                guard let uuid = ATTUUID(wireBytes: entry.value[...]) else { return invalid("service UUID of \(entry.value.count) octets") }
                guard Int(entry.handle) >= cursor, entry.endGroupHandle >= entry.handle else { return invalid("service handles out of order") }
                found.append(GATTService(uuid: uuid, handle: entry.handle, endGroupHandle: entry.endGroupHandle))
                cursor = Int(entry.endGroupHandle) + 1
            }
            guard !entries.isEmpty else { return invalid("empty Read By Group Type Response") }
            task = .services(filter: nil, next: cursor, found: found, expand: expand)
        case (.services(let filter?, let next, var found, let expand), .findByTypeValueResponse(let ranges)):
            var cursor = next
            for range in ranges {
                guard Int(range.start) >= cursor, range.end >= range.start else { return invalid("service handles out of order") }
                found.append(GATTService(uuid: filter, handle: range.start, endGroupHandle: range.end))
                cursor = Int(range.end) + 1
            }
            guard !ranges.isEmpty else { return invalid("empty Find By Type Value Response") }
            task = .services(filter: filter, next: cursor, found: found, expand: expand)
        case (.characteristics(let service, let next, var found, let expand), .readByTypeResponse(let pairs)):
            var cursor = next
            for pair in pairs {
                let v = pair.value
                guard v.count == 5 || v.count == 19, let uuid = ATTUUID(wireBytes: v[3...]) else {
                    return invalid("characteristic declaration value of \(v.count) octets (Part G §3.3.1)")
                }
                let valueHandle = UInt16(v[1]) | UInt16(v[2]) << 8
                guard Int(pair.handle) >= cursor, pair.handle <= service.endGroupHandle, valueHandle > pair.handle else {
                    return invalid("characteristic handles out of order")
                }
                found.append(GATTCharacteristic(uuid: uuid, properties: GATTCharacteristicProperties(rawValue: v[0]), declarationHandle: pair.handle, valueHandle: valueHandle, endHandle: service.endGroupHandle))
                cursor = Int(pair.handle) + 1
            }
            guard !pairs.isEmpty else { return invalid("empty Read By Type Response") }
            task = .characteristics(service, next: cursor, found: found, expand: expand)
        case (.descriptors(let c, let next, var found), .findInformationResponse(let entries)):
            var cursor = next
            for entry in entries {
                guard Int(entry.handle) >= cursor, entry.handle <= c.endHandle else { return invalid("descriptor handles out of order") }
                found.append(GATTDescriptor(handle: entry.handle, type: entry.type))
                cursor = Int(entry.handle) + 1
            }
            guard !entries.isEmpty else { return invalid("empty Find Information Response") }
            task = .descriptors(c, next: cursor, found: found)
        default:
            return invalid("\(pdu.opcode) does not answer the discovery step")
        }
        rest.insert(task, at: 0)
        return advance(procedure, rest, now)
    }

    /// Sends the next discovery request, completing finished steps on the way.
    private mutating func advance(_ procedure: Procedure, _ tasks: [Task], _ now: Duration) -> [Event] {
        var tasks = tasks
        var events: [Event] = []
        while let task = tasks.first {
            switch task {
            case .services(let filter, let next, let found, let expand):
                if next <= 0xFFFF, let start = UInt16(exactly: next) {
                    let range = ATTHandleRange(start: start, end: 0xFFFF)
                    let pdu: ATTPDU = filter.map { .findByTypeValueRequest(range, type: 0x2800, value: $0.wireBytes) }
                        ?? .readByGroupTypeRequest(range, groupType: GATTAttributeType.primaryService)
                    return events + request(pdu, as: .discovery(procedure, tasks), procedure, now)
                }
                tasks.removeFirst()
                mergeServices(found, replacing: filter == nil)
                events.append(.servicesDiscovered(found))
                if expand {
                    let steps = found.map { Task.characteristics($0, next: Int($0.handle) + 1, found: [], expand: true) }
                    tasks.insert(contentsOf: steps, at: 0)
                }
            case .characteristics(let service, let next, var found, let expand):
                if next <= Int(service.endGroupHandle), let start = UInt16(exactly: next) {
                    let range = ATTHandleRange(start: start, end: service.endGroupHandle)
                    return events + request(.readByTypeRequest(range, type: GATTAttributeType.characteristic), as: .discovery(procedure, tasks), procedure, now)
                }
                tasks.removeFirst()
                for i in found.indices {
                    let end = i + 1 < found.count ? found[i + 1].declarationHandle - 1 : service.endGroupHandle
                    found[i].endHandle = max(end, found[i].valueHandle)
                }
                var updated = service
                updated.characteristics = found
                mergeServices([updated], replacing: false)
                events.append(.characteristicsDiscovered(updated, found))
                if expand {
                    tasks.insert(contentsOf: found.map { Task.descriptors($0, next: Int($0.valueHandle) + 1, found: []) }, at: 0)
                }
            case .descriptors(let c, let next, let found):
                if next <= Int(c.endHandle), let start = UInt16(exactly: next) {
                    let range = ATTHandleRange(start: start, end: c.endHandle)
                    return events + request(.findInformationRequest(range), as: .discovery(procedure, tasks), procedure, now)
                }
                tasks.removeFirst()
                var updated = c
                updated.descriptors = found
                for s in services.indices {
                    for i in services[s].characteristics.indices where services[s].characteristics[i].valueHandle == c.valueHandle {
                        services[s].characteristics[i].descriptors = found
                    }
                }
                events.append(.descriptorsDiscovered(updated, found))
            case .finish:
                tasks.removeFirst()
                events.append(.discoveryCompleted(services))
            }
        }
        running = nil
        return events
    }

    private mutating func mergeServices(_ found: [GATTService], replacing: Bool) {
        if replacing {
            services = found
            return
        }
        for service in found {
            if let i = services.firstIndex(where: { $0.handle == service.handle }) {
                var merged = service
                if merged.characteristics.isEmpty { merged.characteristics = services[i].characteristics }
                services[i] = merged
            } else {
                services.append(service)
            }
        }
        services.sort { $0.handle < $1.handle }
    }
}
