/// One ATT bearer, sans-I/O: the flow control and state of the Attribute Protocol on one connection
/// (Bluetooth Core 5.4, Vol 3, Part F, §3.2.8, §3.3.2, §3.3.3, §3.4.2, §3.4.6).
///
/// Role-agnostic: the same value serves a GATT server and a GATT client, or both on one connection.
/// Feed every received PDU to ``receive(_:)`` and act on the returned ``Event``s; send every PDU the
/// layer above produces through ``send(_:at:)``, which checks the state and returns the octets to
/// transmit; call ``tick(now:)`` to run the 30-second transaction timeout. Time is a `Duration`
/// since any fixed origin, passed in: the bearer never reads a clock.
///
/// What the bearer does itself:
/// - **MTU** (§3.4.2): starts at 23. It answers an Exchange MTU Request with its
///   ``Configuration/localMTU`` and sets ATT_MTU to min(Client Rx MTU, Server Rx MTU) bounded to
///   23…517; the same rule applies when this side's request is answered. Exchange MTU happens once
///   per connection: a second request is answered with the local MTU, the MTU is kept, and a
///   ``Event/protocolViolation(_:)`` is reported. With ``Configuration/exchangesMTU`` false it
///   answers Request Not Supported (0x06) instead and ATT_MTU stays 23.
/// - **Malformed and unsupported requests** (§3.3, §3.4.1.1): answered with an Error Response
///   carrying the request opcode as received — Invalid PDU (0x04, handle 0x0000) for a wrong length,
///   a reserved field or a PDU longer than ATT_MTU; Invalid Handle (0x01) with the offending handle
///   for handle 0x0000 or start > end; Request Not Supported (0x06, handle 0x0000) for an undefined
///   opcode with the command flag clear and for Read Multiple / Read Multiple Variable.
/// - **Commands** (§3.3): an undefined or unsupported command (bit 6 set, including Signed Write
///   Command 0xD2) is ignored silently; a malformed Write Command is dropped with a
///   ``Event/protocolViolation(_:)``. Commands are never answered.
/// - **One outstanding request per direction** (§3.3.2): a client "shall send no other request … until
///   a response PDU has been received". A peer request arriving while one of its requests still
///   awaits our response is a protocol violation: it is **dropped** (no response, reported as
///   ``Event/protocolViolation(_:)``) and the first request stays pending; once it is answered the
///   next request is served normally. Dropping rather than answering keeps exactly one response per
///   accepted request, so the peer can never pair a response with the wrong request; a peer that
///   pipelines sees its extra request time out (§3.3.3). BlueZ disconnects instead; the layer above
///   may do so on the violation event. This side cannot send a second request either
///   (``ATTError/Code/requestOutstanding``).
/// - **One outstanding indication** (§3.3.2): a second ``send(_:at:)`` of an indication before the
///   confirmation throws ``ATTError/Code/indicationOutstanding``; a peer indication arriving before
///   this side confirmed the previous one is dropped as a violation.
/// - **Prepare queue** (§3.4.6): a Prepare Write Request that would exceed
///   ``Configuration/maxPreparedWrites`` or ``Configuration/maxPreparedBytes`` is answered with
///   Prepare Queue Full (0x09) naming the request's handle; otherwise the layer above validates it
///   (handle, permissions) and echoes it, which queues it. Execute Write with flags 0x00 clears the
///   queue and is answered with Execute Write Response; with flags 0x01 and an empty queue it is
///   answered with Execute Write Response and nothing is written; with entries it becomes
///   ``Event/executeWrite(_:)``.
/// - **Timeout** (§3.3.3): a request or indication not answered within
///   ``Configuration/transactionTimeout`` fails; "no more attribute protocol requests, commands,
///   indications or notifications shall be sent" on the bearer, so it closes: ``receive(_:)`` then
///   ignores input and ``send(_:at:)`` throws ``ATTError/Code/bearerClosed``.
///
/// No input traps and, apart from a timeout, no input leaves the bearer unusable.
public struct ATTBearer: Sendable {
    /// A request this side sent and the time it was sent.
    private struct Outstanding: Hashable, Sendable {
        var opcode: ATTOpcode
        var sentAt: Duration
    }

    /// The fixed parameters.
    public let configuration: Configuration
    /// The current ATT_MTU: 23 until Exchange MTU completes (§3.2.8).
    public private(set) var mtu: Int = ATTLimits.defaultMTU
    /// True once an Exchange MTU Request has been sent or answered on this bearer.
    public private(set) var isMTUExchanged = false
    /// True after a transaction timeout (§3.3.3); the bearer accepts nothing more.
    public private(set) var isClosed = false
    /// The peer request awaiting this side's response, as decoded.
    public private(set) var pendingRequest: ATTPDU?
    /// True when a peer indication awaits this side's confirmation.
    public private(set) var isPeerIndicationPending = false
    /// The prepared writes queued so far, in order (§3.4.6.1).
    public private(set) var prepareQueue: [ATTPreparedWrite] = []
    /// Part-value octets in ``prepareQueue``.
    public private(set) var preparedBytes = 0

    private var outstandingRequest: Outstanding?
    private var indicationSentAt: Duration?
    private var sentClientRxMTU: Int = ATTLimits.defaultMTU

    /// A bearer at the default ATT_MTU with nothing outstanding.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The opcode of this side's request awaiting a response.
    public var outstandingRequestOpcode: ATTOpcode? { outstandingRequest?.opcode }
    /// True while this side's indication awaits its confirmation.
    public var isIndicationOutstanding: Bool { indicationSentAt != nil }
    /// The longest value a notification, indication, Write Request or Write Command can carry now:
    /// ATT_MTU − 3 (§3.4.5.1, §3.4.7.1).
    public var maximumHandleValueLength: Int { mtu - 3 }
    /// When ``tick(now:)`` will next report a timeout, or `nil` when nothing is outstanding.
    public var nextDeadline: Duration? {
        let times = [outstandingRequest?.sentAt, indicationSentAt].compactMap { $0 }
        return times.min().map { $0 + configuration.transactionTimeout }
    }

    // MARK: Receiving

    /// Processes one received ATT PDU (one L2CAP SDU on CID 0x0004) and reports what happened.
    /// Never traps; every malformed input is answered or dropped as described on ``ATTBearer``.
    public mutating func receive(_ bytes: ArraySlice<UInt8>) -> [Event] {
        guard !isClosed else { return [] }
        guard let first = bytes.first else {
            return [.protocolViolation(ATTError(.truncated, "empty ATT PDU dropped"))]
        }
        let opcode = ATTOpcode(rawValue: first)
        switch opcode.kind {
        case .request: return receiveRequest(opcode, bytes)
        case .command: return receiveCommand(bytes)
        case .response: return receiveResponse(opcode, bytes)
        case .notification: return receiveNotification(bytes)
        case .indication: return receiveIndication(bytes)
        case .confirmation: return receiveConfirmation(bytes)
        }
    }

    /// Processes one received ATT PDU given as an array (see the `ArraySlice` overload).
    public mutating func receive(_ bytes: [UInt8]) -> [Event] { receive(bytes[...]) }

    private mutating func receiveRequest(_ opcode: ATTOpcode, _ bytes: ArraySlice<UInt8>) -> [Event] {
        if let pending = pendingRequest {
            return [.protocolViolation(ATTError(
                .requestOutstanding,
                "\(opcode) arrived while \(pending.opcode) awaits its response; dropped (§3.3.2)"))]
        }
        let pdu: ATTPDU
        do {
            pdu = try ATTPDU.decode(bytes, mtu: mtu)
        } catch {
            return [.send(Self.errorResponse(opcode, error.attributeHandle, error.errorResponseCode ?? .invalidPDU))]
        }
        switch pdu {
        case .exchangeMTURequest(let clientRx):
            guard configuration.exchangesMTU else { return [.send(Self.errorResponse(opcode, 0x0000, .requestNotSupported))] }
            let response = ATTPDU.exchangeMTUResponse(serverRxMTU: UInt16(clamping: configuration.localMTU)).encoded()
            guard !isMTUExchanged else {
                return [
                    .protocolViolation(ATTError(.mtuAlreadyExchanged, "second Exchange MTU Request; ATT_MTU stays \(mtu) (§3.4.2.1)")),
                    .send(response),
                ]
            }
            isMTUExchanged = true
            return [.send(response)] + setMTU(min(Self.length(clientRx), configuration.localMTU))
        case .prepareWriteRequest(let write):
            let entriesFull = prepareQueue.count >= configuration.maxPreparedWrites
            let bytesFull = write.value.count > configuration.maxPreparedBytes - preparedBytes
            guard !entriesFull, !bytesFull else {
                return [.send(Self.errorResponse(opcode, write.handle, .prepareQueueFull))]
            }
            pendingRequest = pdu
            return [.request(pdu)]
        case .executeWriteRequest(.cancel):
            clearPrepareQueue()
            return [.send(ATTPDU.executeWriteResponse.encoded())]
        case .executeWriteRequest(.write):
            guard !prepareQueue.isEmpty else { return [.send(ATTPDU.executeWriteResponse.encoded())] }
            let writes = prepareQueue
            clearPrepareQueue()
            pendingRequest = pdu
            return [.executeWrite(writes)]
        default:
            pendingRequest = pdu
            return [.request(pdu)]
        }
    }

    private func receiveCommand(_ bytes: ArraySlice<UInt8>) -> [Event] {
        do {
            return [.command(try ATTPDU.decode(bytes, mtu: mtu))]
        } catch where error.code == .unknownOpcode || error.code == .unsupportedOpcode {
            return []  // §3.3: a command the server does not support is ignored.
        } catch {
            return [.protocolViolation(error)]
        }
    }

    private mutating func receiveResponse(_ opcode: ATTOpcode, _ bytes: ArraySlice<UInt8>) -> [Event] {
        guard let outstanding = outstandingRequest else {
            return [.protocolViolation(ATTError(.noRequestPending, "\(opcode) arrived with no request outstanding; dropped"))]
        }
        let pdu: ATTPDU
        do {
            pdu = try ATTPDU.decode(bytes, mtu: mtu)
        } catch {
            return [.protocolViolation(error)]
        }
        let answers: Bool
        if case .errorResponse(let e) = pdu {
            answers = e.requestOpcode == outstanding.opcode
        } else {
            answers = pdu.opcode == outstanding.opcode.responseOpcode
        }
        guard answers else {
            return [.protocolViolation(ATTError(
                .responseMismatch, "\(pdu.opcode) does not answer the outstanding \(outstanding.opcode); dropped"))]
        }
        outstandingRequest = nil
        if case .exchangeMTUResponse(let serverRx) = pdu {
            return [.response(pdu)] + setMTU(min(Self.length(serverRx), sentClientRxMTU))
        }
        return [.response(pdu)]
    }

    private func receiveNotification(_ bytes: ArraySlice<UInt8>) -> [Event] {
        do {
            return [.notification(try ATTPDU.decode(bytes, mtu: mtu))]
        } catch {
            return [.protocolViolation(error)]
        }
    }

    private mutating func receiveIndication(_ bytes: ArraySlice<UInt8>) -> [Event] {
        guard !isPeerIndicationPending else {
            return [.protocolViolation(ATTError(
                .indicationOutstanding, "indication arrived before the previous one was confirmed; dropped (§3.3.2)"))]
        }
        do {
            let pdu = try ATTPDU.decode(bytes, mtu: mtu)
            isPeerIndicationPending = true
            return [.indication(pdu)]
        } catch {
            return [.protocolViolation(error)]
        }
    }

    private mutating func receiveConfirmation(_ bytes: ArraySlice<UInt8>) -> [Event] {
        do {
            _ = try ATTPDU.decode(bytes, mtu: mtu)
        } catch {
            return [.protocolViolation(error)]
        }
        guard indicationSentAt != nil else {
            return [.protocolViolation(ATTError(.noIndicationPending, "confirmation arrived with no indication outstanding; dropped"))]
        }
        indicationSentAt = nil
        return [.confirmation]
    }

    // MARK: Sending

    /// Checks that `pdu` may be sent now, records it, and returns its octets to transmit.
    ///
    /// - Requests: none of this side's requests may be outstanding (§3.3.2); Exchange MTU only once
    ///   (§3.4.2.1). The request is timed from `now`.
    /// - Responses and Error Responses: must answer ``pendingRequest`` (the matching response opcode,
    ///   or an Error Response naming its opcode); a Prepare Write Response must echo the request
    ///   exactly (§3.4.6.2) and queues the write.
    /// - Indications: none may be outstanding (§3.3.2); timed from `now`.
    /// - Confirmations: a peer indication must be pending.
    /// - Commands and notifications: no flow control.
    ///
    /// Every PDU must fit ATT_MTU. Throws a local ``ATTError`` (and changes nothing) otherwise.
    public mutating func send(_ pdu: ATTPDU, at now: Duration) throws(ATTError) -> [UInt8] {
        guard !isClosed else { throw ATTError(.bearerClosed, "a transaction timed out; the bearer is closed (§3.3.3)") }
        let bytes = pdu.encoded()
        guard bytes.count <= mtu else {
            throw ATTError(.exceedsMTU, "\(pdu.opcode) is \(bytes.count) octets, ATT_MTU is \(mtu)")
        }
        switch pdu.kind {
        case .request:
            if let outstanding = outstandingRequest {
                throw ATTError(.requestOutstanding, "\(outstanding.opcode) still awaits its response (§3.3.2)")
            }
            if case .exchangeMTURequest(let clientRx) = pdu {
                guard !isMTUExchanged else { throw ATTError(.mtuAlreadyExchanged, "Exchange MTU is sent once (§3.4.2.1)") }
                isMTUExchanged = true
                sentClientRxMTU = Self.length(clientRx)
            }
            outstandingRequest = Outstanding(opcode: pdu.opcode, sentAt: now)
        case .response:
            try answerPendingRequest(with: pdu)
        case .indication:
            guard indicationSentAt == nil else {
                throw ATTError(.indicationOutstanding, "an indication still awaits its confirmation (§3.3.2)")
            }
            indicationSentAt = now
        case .confirmation:
            guard isPeerIndicationPending else { throw ATTError(.noIndicationPending, "no peer indication to confirm") }
            isPeerIndicationPending = false
        case .command, .notification:
            break
        }
        return bytes
    }

    /// Sends an Error Response to ``pendingRequest`` (§3.4.1.1); see ``send(_:at:)``.
    public mutating func sendError(_ error: ATTErrorCode, handle: UInt16, at now: Duration) throws(ATTError) -> [UInt8] {
        guard let pending = pendingRequest else { throw ATTError(.noRequestPending, "no peer request to answer") }
        let response = ATTErrorResponse(requestOpcode: pending.opcode, handle: handle, error: error)
        return try send(.errorResponse(response), at: now)
    }

    // MARK: Time

    /// Reports transaction timeouts (§3.3.3) at time `now`: ``Event/requestTimeout(_:)`` and
    /// ``Event/indicationTimeout`` when this side's request or indication has waited
    /// ``Configuration/transactionTimeout`` or longer. A timeout closes the bearer.
    public mutating func tick(now: Duration) -> [Event] {
        guard !isClosed else { return [] }
        let timeout = configuration.transactionTimeout
        var events: [Event] = []
        if let sent = indicationSentAt, now - sent >= timeout { events.append(.indicationTimeout) }
        if let outstanding = outstandingRequest, now - outstanding.sentAt >= timeout {
            events.append(.requestTimeout(outstanding.opcode))
        }
        if !events.isEmpty {
            isClosed = true
            indicationSentAt = nil
            outstandingRequest = nil
        }
        return events
    }

    // MARK: Internals

    private mutating func answerPendingRequest(with pdu: ATTPDU) throws(ATTError) {
        guard let pending = pendingRequest else {
            throw ATTError(.noRequestPending, "\(pdu.opcode) answers no pending request")
        }
        switch pdu {
        case .errorResponse(let e):
            guard e.requestOpcode == pending.opcode else {
                throw ATTError(.responseMismatch, "Error Response names \(e.requestOpcode), pending is \(pending.opcode)")
            }
        case .prepareWriteResponse(let echo):
            guard case .prepareWriteRequest(let request) = pending, echo == request else {
                throw ATTError(.responseMismatch, "Prepare Write Response must echo the pending Prepare Write Request (§3.4.6.2)")
            }
            prepareQueue.append(request)
            preparedBytes += request.value.count
        default:
            guard pdu.opcode == pending.opcode.responseOpcode else {
                throw ATTError(.responseMismatch, "\(pdu.opcode) does not answer the pending \(pending.opcode)")
            }
        }
        pendingRequest = nil
    }

    private mutating func setMTU(_ proposed: Int) -> [Event] {
        let new = Configuration.clampMTU(proposed)
        guard new != mtu else { return [] }
        mtu = new
        return [.mtuChanged(new)]
    }

    private mutating func clearPrepareQueue() {
        prepareQueue.removeAll()
        preparedBytes = 0
    }

    /// A wire MTU as `Int` via `Int(exactly:)`; a u16 always fits, the fallback is never taken.
    private static func length(_ value: UInt16) -> Int { Int(exactly: value) ?? ATTLimits.maximumMTU }

    private static func errorResponse(_ opcode: ATTOpcode, _ handle: UInt16, _ code: ATTErrorCode) -> [UInt8] {
        ATTPDU.errorResponse(ATTErrorResponse(requestOpcode: opcode, handle: handle, error: code)).encoded()
    }
}
