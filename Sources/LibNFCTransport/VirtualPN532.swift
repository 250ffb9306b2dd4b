import Foundation
import LockNFC

/// A virtual NXP PN532 on a pseudo-terminal, for libnfc's `pn532_uart` driver
/// (connstring ``connstring``), joined to a ``VirtualRFField``.
///
/// As a reader (initiator) it finds the field's card with InListPassiveTarget (ISO/IEC 14443-A
/// only, ISO 14443-4 compliant: SEL_RES 0x20 and an ATS) and carries APDUs with InDataExchange.
/// As a card (target, TgInitAsTarget) it places itself in the field, waits for a reader, hands the
/// reader's APDUs to its host with TgGetData and takes the answers with TgSetData; TgGetData
/// answers status 0x29 once the reader released it, which ends libnfc's emulation. While it waits
/// for a reader (TgInitAsTarget) or for the reader's next APDU (TgGetData), anything the host
/// writes ends the wait as a real PN532's abort does (PN532 User Manual §6.2.1.3: an ACK frame
/// from the host aborts the current command): the card leaves the field and the command gets no
/// answer. So a card whose host was interrupted (libnfc's `nfc_abort_command` sends that ACK) or
/// killed (the next host's first bytes) does not keep the slot: InRelease and InDeselect also
/// take it out of the field.
///
/// Answers follow `real-stacks.md` §NFC: ACK then a D5 frame (command + 1); GetFirmwareVersion
/// `32 01 06 07` (PN532 v1.6); ReadRegister values are zero with no status byte; InCommunicateThru
/// probes and polls of other card types find nothing (status 0x01 timeout, NbTg 0); unknown
/// commands get the error frame. A fresh instance (fresh pty) per session is the safe use.
public final class VirtualPN532: @unchecked Sendable {
    /// The pty it answers on; libnfc opens its slave ``PseudoTerminal/path``.
    public let terminal: PseudoTerminal
    /// The RF field it polls as a reader and places itself in as a card.
    public let field: VirtualRFField
    /// How long InListPassiveTarget waits for a card before answering "none".
    public let pollTimeoutMilliseconds: Int
    /// How long InDataExchange waits for the card's answer.
    public let exchangeTimeoutMilliseconds: Int
    /// Every frame in and out, for debugging (`LATCHKEY_PN532_TRACE=1` in tests).
    public var trace: (@Sendable (String) -> Void)?

    private let state = NSLock()
    private var stopped = false
    private var thread: Thread?
    private var decoder = PN532Frame.Decoder()
    private var selected: (any VirtualFieldCard)?
    private var target: PN532TargetCard?
    /// The command being answered was aborted by the host: it gets no answer frame.
    private var aborted = false

    /// The libnfc connection string of this device.
    public var connstring: String { "pn532_uart:\(terminal.path)" }

    /// A PN532 on a fresh pty, joined to `field`; it answers only after ``start()`` (or ``receive(_:)``).
    /// Timeouts are in milliseconds. Throws ``NFCTransportError`` when the pty cannot be created.
    public init(field: VirtualRFField, pollTimeoutMilliseconds: Int = 2_000, exchangeTimeoutMilliseconds: Int = 5_000) throws(NFCTransportError) {
        terminal = try PseudoTerminal()
        self.field = field
        self.pollTimeoutMilliseconds = pollTimeoutMilliseconds
        self.exchangeTimeoutMilliseconds = exchangeTimeoutMilliseconds
    }

    deinit { stop() }

    private var isStopped: Bool { state.withLock { stopped } }

    /// Starts answering on its own thread.
    public func start() {
        let thread = Thread { [weak self] in
            while let self, !self.isStopped {
                let bytes = self.terminal.read(timeoutMilliseconds: 50)
                if !bytes.isEmpty { self.receive(bytes) }
            }
        }
        thread.name = "VirtualPN532 \(terminal.path)"
        state.withLock { self.thread = thread }
        thread.start()
    }

    /// Stops answering; a card it emulates leaves the field.
    public func stop() {
        let card: PN532TargetCard? = state.withLock {
            stopped = true
            return target
        }
        if let card {
            field.remove(card)
            card.release()
        }
    }

    /// Handles bytes from the host (also usable without the thread, in tests).
    public func receive(_ bytes: [UInt8]) {
        for item in decoder.append(bytes) {
            guard case .frame(let tfi, let data) = item, tfi == PN532Frame.hostToPN532, let command = data.first else { continue }
            trace?("> \(Self.hex(data))")
            terminal.write(PN532Frame.ack)
            if let answer = answer(command, Array(data.dropFirst())) {
                trace?("< \(Self.hex([command &+ 1] + answer))")
                terminal.write(PN532Frame.encode(tfi: PN532Frame.pn532ToHost, [command &+ 1] + answer))
            } else if state.withLock({ defer { aborted = false }; return aborted }) {
                trace?("< nothing: aborted by the host")
            } else {
                trace?("< error frame")
                terminal.write(PN532Frame.error)
            }
        }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined(separator: " ") }

    /// The answer data (after the response code) to `command`, or nil for the error frame.
    func answer(_ command: UInt8, _ p: [UInt8]) -> [UInt8]? {
        switch command {
        case 0x00: return p  // Diagnose: communication test echoes NumTst and its data
        case 0x02: return [0x32, 0x01, 0x06, 0x07]  // GetFirmwareVersion: PN532 v1.6, ISO A + B + 18092
        case 0x04: return [0x00, 0x00, 0x00]  // GetGeneralStatus: no error, field off, no target
        case 0x06: return [UInt8](repeating: 0, count: p.count / 2)  // ReadRegister: one value per address
        case 0x08, 0x12, 0x14, 0x32:  // WriteRegister, SetParameters, SAMConfiguration, RFConfiguration
            if command == 0x32, p.count >= 2, p[0] == 0x01, p[1] & 0x01 == 0 { releaseSelected() }  // field off
            return []
        case 0x16: return [0x00]  // PowerDown
        case 0x4A: return listPassiveTarget(p)
        case 0x40: return dataExchange(p)
        case 0x42: return [0x01]  // InCommunicateThru: timeout (no raw frames to other card types)
        case 0x44, 0x52:  // InDeselect, InRelease (also the end of an emulation: libnfc's idle)
            releaseSelected()
            if let card = state.withLock({ defer { target = nil }; return target }) { leave(card) }
            return [0x00]
        case 0x8C: return initAsTarget(p)
        case 0x86: return targetGetData()
        case 0x8E: return targetSetData(p)
        default: return nil
        }
    }

    // MARK: Reader

    private func listPassiveTarget(_ p: [UInt8]) -> [UInt8] {
        guard p.count >= 2, p[1] == 0x00 else { return [0x00] }  // only 106 kbps type A
        releaseSelected()
        guard let card = field.waitForCard(timeoutMilliseconds: pollTimeoutMilliseconds), card.activate() else { return [0x00] }
        state.withLock { selected = card }
        let uid = Array(card.uid.prefix(10))
        let ats: [UInt8] = [0x05, 0x78, 0x80, 0x70, 0x02]  // TL 5, FSCI 8, TA TB TC
        return [0x01, 0x01, 0x00, 0x04, 0x20, UInt8(uid.count)] + uid + ats
    }

    private func dataExchange(_ p: [UInt8]) -> [UInt8] {
        guard p.count >= 1, let card = state.withLock({ selected }) else { return [0x27] }  // wrong context
        guard let answer = card.exchange(Array(p.dropFirst()), timeoutMilliseconds: exchangeTimeoutMilliseconds) else { return [0x01] }
        return [0x00] + answer
    }

    private func releaseSelected() {
        let card: (any VirtualFieldCard)? = state.withLock {
            defer { selected = nil }
            return selected
        }
        card?.release()
    }

    // MARK: Card emulation

    private func initAsTarget(_ p: [UInt8]) -> [UInt8]? {
        // Mode, MifareParams (SENS_RES 2, NFCID1t 3, SEL_RES 1), …: the UID is 08 ‖ NFCID1t.
        guard p.count >= 7 else { return nil }
        let card = PN532TargetCard(uid: [0x08] + Array(p[3...5]))
        if let old = state.withLock({ defer { target = card }; return target }) { leave(old) }
        field.place(card)
        while !isStopped {
            if card.waitForActivation(until: Date(timeIntervalSinceNow: 0.05)) {
                return [0x08, 0xE0, 0x80]  // ISO 14443-4 PICC at 106 kbps; the initiator's RATS
            }
            if terminal.hasInput() { return abortTarget(card) }
        }
        field.remove(card)
        return nil
    }

    /// The host wrote while a target command waited: the card leaves the field and the command
    /// ends without an answer (see the type's notes).
    private func abortTarget(_ card: PN532TargetCard) -> [UInt8]? {
        state.withLock {
            if target === card { target = nil }
            aborted = true
        }
        leave(card)
        trace?("target aborted by the host: card out of the field")
        return nil
    }

    /// Takes `card` out of the field and ends its exchanges.
    private func leave(_ card: PN532TargetCard) {
        field.remove(card)
        card.release()
    }

    private func targetGetData() -> [UInt8]? {
        guard let card = state.withLock({ target }) else { return [0x29] }
        while !isStopped {
            switch card.nextCommand(until: Date(timeIntervalSinceNow: 0.05)) {
            case .some(.some(let command)): return [0x00] + command
            case .some(.none):
                if terminal.hasInput() { return abortTarget(card) }
                continue
            case .none:
                field.remove(card)
                state.withLock { target = nil }
                return [0x29]  // released by the initiator
            }
        }
        return [0x29]
    }

    private func targetSetData(_ p: [UInt8]) -> [UInt8] {
        guard let card = state.withLock({ target }) else { return [0x29] }
        card.answer(p)
        return [0x00]
    }
}
