import BLEATT
import Testing

/// The bearer's state machine in both roles (Bluetooth Core 5.4, Vol 3, Part F, §3.3.2, §3.3.3,
/// §3.4.2, §3.4.7).
@Suite struct ATTBearerTests {
    // MARK: Exchange MTU (§3.4.2)

    @Test func serverAnswersExchangeMTUAndTakesTheMinimum() {
        var bearer = ATTBearer(configuration: .init(localMTU: 247))
        #expect(bearer.mtu == 23)
        #expect(bearer.receive(hex("02 0502")) == [.send(hex("03 F700")), .mtuChanged(247)])
        #expect(bearer.mtu == 247)
        #expect(bearer.maximumHandleValueLength == 244)
        #expect(bearer.pendingRequest == nil)
    }

    @Test func clientRxBelowTheDefaultKeepsTheDefault() {
        var bearer = ATTBearer()
        #expect(bearer.receive(hex("02 1000")) == [.send(hex("03 0502"))])
        #expect(bearer.mtu == 23)
    }

    @Test func mtuIsBoundedTo517() {
        var bearer = ATTBearer(configuration: .init(localMTU: 9000))
        #expect(bearer.configuration.localMTU == 517)
        #expect(bearer.receive(hex("02 FFFF")) == [.send(hex("03 0502")), .mtuChanged(517)])
        #expect(ATTBearer.Configuration(localMTU: 5).localMTU == 23)
    }

    @Test func secondExchangeIsAnsweredButKeepsTheMTU() {
        var bearer = ATTBearer(configuration: .init(localMTU: 100))
        _ = bearer.receive(hex("02 F700"))
        #expect(bearer.mtu == 100)
        let events = bearer.receive(hex("02 1700"))
        #expect(events.count == 2)
        #expect(sends(events) == [hex("03 6400")])
        #expect(bearer.mtu == 100)
    }

    @Test func clientExchangesMTU() throws {
        var bearer = ATTBearer(configuration: .init(localMTU: 185))
        #expect(try bearer.send(.exchangeMTURequest(clientRxMTU: 185), at: .zero) == hex("02 B900"))
        #expect(bearer.outstandingRequestOpcode == .exchangeMTURequest)
        #expect(bearer.receive(hex("03 F700")) == [.response(.exchangeMTUResponse(serverRxMTU: 247)), .mtuChanged(185)])
        #expect(bearer.mtu == 185)
        #expect(bearer.outstandingRequestOpcode == nil)
        #expect(attError { () throws(ATTError) in try bearer.send(.exchangeMTURequest(clientRxMTU: 185), at: .zero) }?.code == .mtuAlreadyExchanged)
    }

    @Test func serverWithoutExchangeMTUKeepsTheDefault() throws {
        var bearer = ATTBearer()
        _ = try bearer.send(.exchangeMTURequest(clientRxMTU: 517), at: .zero)
        #expect(bearer.receive(hex("01 02 0000 06")) == [.response(.errorResponse(ATTErrorResponse(requestOpcode: .exchangeMTURequest, handle: 0, error: .requestNotSupported)))])
        #expect(bearer.mtu == 23)
    }

    // MARK: Requests and responses as a client (§3.3.2)

    @Test func clientHasOneOutstandingRequest() throws {
        var bearer = ATTBearer()
        #expect(try bearer.send(.readRequest(handle: 3), at: .seconds(1)) == hex("0A 0300"))
        let second = attError { () throws(ATTError) in try bearer.send(.readRequest(handle: 4), at: .seconds(1)) }
        #expect(second?.code == .requestOutstanding)
        #expect(second?.errorResponseCode == nil)
        // Commands are not flow-controlled.
        #expect(try bearer.send(.writeCommand(handle: 5, value: [1]), at: .seconds(1)) == hex("52 0500 01"))
        // A response to another request is dropped; ours stays outstanding.
        #expect(onlyViolations(bearer.receive(hex("13"))))
        #expect(onlyViolations(bearer.receive(hex("01 12 0300 03"))))
        #expect(bearer.receive(hex("0B")) == [.response(.readResponse(value: []))])
        #expect(bearer.outstandingRequestOpcode == nil)
        #expect(try bearer.send(.readRequest(handle: 4), at: .seconds(2)) == hex("0A 0400"))
        #expect(onlyViolations(bearer.receive([0x0B] + [UInt8](repeating: 1, count: 23))))  // 24 octets > ATT_MTU 23
        #expect(bearer.outstandingRequestOpcode == .readRequest)
        #expect(bearer.receive(hex("01 0A 0400 02")) == [.response(.errorResponse(ATTErrorResponse(requestOpcode: .readRequest, handle: 4, error: .readNotPermitted)))])
    }

    @Test func requestTimesOutAfter30SecondsAndClosesTheBearer() throws {
        var bearer = ATTBearer()
        _ = try bearer.send(.readRequest(handle: 3), at: .seconds(100))
        #expect(bearer.nextDeadline == .seconds(130))
        #expect(bearer.tick(now: .milliseconds(129_999)).isEmpty)
        #expect(bearer.tick(now: .seconds(130)) == [.requestTimeout(.readRequest)])
        #expect(bearer.isClosed)
        #expect(bearer.receive(hex("0B 01")).isEmpty)
        #expect(attError { () throws(ATTError) in try bearer.send(.handleValueNotification(handle: 3, value: []), at: .seconds(131)) }?.code == .bearerClosed)
        #expect(bearer.tick(now: .seconds(200)).isEmpty)
    }

    // MARK: Responses as a server

    @Test func responsesMustAnswerThePendingRequest() throws {
        var bearer = ATTBearer()
        #expect(attError { () throws(ATTError) in try bearer.send(.readResponse(value: []), at: .zero) }?.code == .noRequestPending)
        #expect(attError { () throws(ATTError) in try bearer.sendError(.unlikelyError, handle: 0, at: .zero) }?.code == .noRequestPending)
        _ = bearer.receive(hex("0A 0300"))
        #expect(attError { () throws(ATTError) in try bearer.send(.writeResponse, at: .zero) }?.code == .responseMismatch)
        let wrongError = ATTPDU.errorResponse(ATTErrorResponse(requestOpcode: .writeRequest, handle: 3, error: .invalidHandle))
        #expect(attError { () throws(ATTError) in try bearer.send(wrongError, at: .zero) }?.code == .responseMismatch)
        let tooLong = ATTPDU.readResponse(value: [UInt8](repeating: 1, count: 23))
        #expect(attError { () throws(ATTError) in try bearer.send(tooLong, at: .zero) }?.code == .exceedsMTU)
        #expect(bearer.pendingRequest == .readRequest(handle: 3))
        #expect(try bearer.send(.readResponse(value: [UInt8](repeating: 1, count: 22)), at: .zero).count == 23)
        #expect(bearer.pendingRequest == nil)
    }

    @Test func prepareWriteResponseMustEchoTheRequest() throws {
        var bearer = ATTBearer()
        let write = ATTPreparedWrite(handle: 0x0E, offset: 4, value: [1, 2])
        _ = bearer.receive(ATTPDU.prepareWriteRequest(write).encoded())
        let altered = ATTPreparedWrite(handle: 0x0E, offset: 4, value: [1, 3])
        #expect(attError { () throws(ATTError) in try bearer.send(.prepareWriteResponse(altered), at: .zero) }?.code == .responseMismatch)
        #expect(bearer.prepareQueue.isEmpty)
        _ = try bearer.send(.prepareWriteResponse(write), at: .zero)
        #expect(bearer.prepareQueue == [write])
    }

    @Test func executeWriteFailureIsAnsweredWithTheFailingHandle() throws {
        var bearer = ATTBearer()
        let write = ATTPreparedWrite(handle: 0x0E, offset: 600, value: [1])
        _ = bearer.receive(ATTPDU.prepareWriteRequest(write).encoded())
        _ = try bearer.send(.prepareWriteResponse(write), at: .zero)
        #expect(bearer.receive(hex("18 01")) == [.executeWrite([write])])
        #expect(try bearer.sendError(.invalidOffset, handle: 0x0E, at: .zero) == hex("01 18 0E00 07"))
        #expect(bearer.prepareQueue.isEmpty)
    }

    // MARK: Indications and notifications (§3.4.7)

    @Test func oneIndicationAtATimeAndNotificationsFlowFreely() throws {
        var bearer = ATTBearer()
        #expect(try bearer.send(.handleValueIndication(handle: 0x0E, value: [1]), at: .zero) == hex("1D 0E00 01"))
        #expect(bearer.isIndicationOutstanding)
        let second = attError { () throws(ATTError) in try bearer.send(.handleValueIndication(handle: 0x0E, value: [2]), at: .seconds(1)) }
        #expect(second?.code == .indicationOutstanding)
        #expect(try bearer.send(.handleValueNotification(handle: 3, value: [9]), at: .seconds(1)) == hex("1B 0300 09"))
        // The peer may send requests before confirming (§3.3.2 note).
        #expect(bearer.receive(hex("0A 0300")) == [.request(.readRequest(handle: 3))])
        #expect(bearer.receive(hex("1E")) == [.confirmation])
        #expect(!bearer.isIndicationOutstanding)
        #expect(onlyViolations(bearer.receive(hex("1E"))))
        #expect(try bearer.send(.handleValueIndication(handle: 0x0E, value: [2]), at: .seconds(2)) == hex("1D 0E00 02"))
    }

    @Test func indicationTimesOutOnTheInjectedClock() throws {
        var bearer = ATTBearer()
        _ = try bearer.send(.handleValueIndication(handle: 0x0E, value: [1]), at: .seconds(10))
        #expect(bearer.nextDeadline == .seconds(40))
        #expect(bearer.tick(now: .seconds(39)).isEmpty)
        #expect(bearer.tick(now: .seconds(40)) == [.indicationTimeout])
        #expect(bearer.isClosed)
        #expect(bearer.nextDeadline == nil)
        #expect(attError { () throws(ATTError) in try bearer.send(.handleValueIndication(handle: 0x0E, value: [1]), at: .seconds(41)) }?.code == .bearerClosed)
    }

    @Test func confirmedIndicationDoesNotTimeOut() throws {
        var bearer = ATTBearer(configuration: .init(transactionTimeout: .seconds(5)))
        _ = try bearer.send(.handleValueIndication(handle: 0x0E, value: [1]), at: .zero)
        _ = bearer.receive(hex("1E"))
        #expect(bearer.tick(now: .seconds(3600)).isEmpty)
        #expect(!bearer.isClosed)
    }

    @Test func clientConfirmsPeerIndicationsOneAtATime() throws {
        var bearer = ATTBearer()
        #expect(attError { () throws(ATTError) in try bearer.send(.handleValueConfirmation, at: .zero) }?.code == .noIndicationPending)
        #expect(bearer.receive(hex("1D 0E00 01 02")) == [.indication(.handleValueIndication(handle: 0x0E, value: [1, 2]))])
        #expect(onlyViolations(bearer.receive(hex("1D 0E00 03"))))
        #expect(bearer.receive(hex("1B 0300 09")) == [.notification(.handleValueNotification(handle: 3, value: [9]))])
        #expect(try bearer.send(.handleValueConfirmation, at: .zero) == hex("1E"))
        #expect(bearer.receive(hex("1D 0E00 03")) == [.indication(.handleValueIndication(handle: 0x0E, value: [3]))])
    }

    @Test func valuesLongerThanMTUMinus3AreRefused() throws {
        var bearer = ATTBearer()
        let fits = ATTPDU.handleValueNotification(handle: 3, value: [UInt8](repeating: 0, count: bearer.maximumHandleValueLength))
        #expect(try bearer.send(fits, at: .zero).count == 23)
        let tooLong = ATTPDU.handleValueIndication(handle: 3, value: [UInt8](repeating: 0, count: 21))
        #expect(attError { () throws(ATTError) in try bearer.send(tooLong, at: .zero) }?.code == .exceedsMTU)
        #expect(!bearer.isIndicationOutstanding)
    }

    /// Both roles on one bearer: requests in each direction are tracked independently (§3.3.2 note).
    @Test func flowControlPerDirectionIsIndependent() throws {
        var bearer = ATTBearer()
        _ = try bearer.send(.readRequest(handle: 0x20), at: .zero)
        #expect(bearer.receive(hex("0A 0300")) == [.request(.readRequest(handle: 3))])
        #expect(bearer.receive(hex("0B 55")) == [.response(.readResponse(value: [0x55]))])
        #expect(try bearer.send(.readResponse(value: [0x66]), at: .zero) == hex("0B 66"))
    }
}
