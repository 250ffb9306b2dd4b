import BLETransport
internal import CLinux
import Foundation
import LockSession

/// The owner's control socket of a running lock: a Unix `SOCK_SEQPACKET` socket (mode 0600, in the
/// lock's 0700 discovery folder) on which one ``LockControl`` line per connection is answered with
/// one ``LockControlReply`` as JSON, after the lock's loop ran it and committed what it changed
/// (``LockServer/Controls/perform(timeout:_:)``). Connections from another user are refused
/// (`SO_PEERCRED`), as is anything that is not a control line (`{"ok":false,"error":…}`).
///
/// It runs on its own thread, one connection at a time; ``stop()`` ends it and removes the socket.
public final class LockControlChannel: Sendable {
    /// The socket's path.
    public let path: String
    private let listener: SeqPacketListener

    /// The socket of the lock with Nuki-derived address `address` in `folder`: `<stem>.control`
    /// beside its ATT socket.
    public static func path(in folder: DiscoveryFolder, for address: DeviceAddress) -> String {
        folder.path + "/" + address.fileStem + ".control"
    }

    /// Listens at `path` for `controls`; the loop thread starts at once.
    /// Throws ``BLETransport/TransportError`` when the socket cannot be bound.
    public init(path: String, controls: LockServer.Controls) throws(TransportError) {
        self.path = path
        listener = try SeqPacketListener(path: path, backlog: 16, maximumPDUSize: Self.maximumLine)
        let listener = self.listener
        let thread = Thread {
            while true {
                do throws(TransportError) {
                    guard let link = try listener.accept(timeout: .seconds(1)) else { continue }
                    Self.serve(link, controls: controls)
                } catch {
                    if error.code == .closed { return }
                }
            }
        }
        thread.name = "latchkey lock control"
        thread.start()
    }

    /// Stops listening and removes the socket file.
    public func stop() {
        listener.close()
    }

    /// The longest line or reply, in bytes.
    static let maximumLine = 1024

    private static func serve(_ link: SeqPacketLink, controls: LockServer.Controls) {
        defer { link.close() }
        func reply(_ answer: Encodable) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(answer) { try? link.send(Array(data)) }
        }
        // The request is read before anything is answered, so that a client always sees the
        // answer (a refusal sent before its write would make that write fail with EPIPE).
        guard let bytes = try? link.receive(timeout: .seconds(2)) else { return }
        guard let fd = link.pollDescriptor, peerIsOwner(fd) else {
            reply(Refusal(error: "only the lock's owner (user \(geteuid())) may use its controls"))
            return
        }
        guard let line = String(validating: bytes, as: UTF8.self) else {
            reply(Refusal(error: "a control line is UTF-8 text"))
            return
        }
        let command: LockControl
        do {
            command = try LockControl(line: line)
        } catch {
            reply(Refusal(error: error.description))
            return
        }
        guard let done = controls.perform({ engine, now in
            let (actions, reply) = command.apply(to: &engine, at: now)
            return (actions, reply)
        }) else {
            reply(Refusal(error: "the lock did not run the command within 5 s"))
            return
        }
        var answer = done.result
        answer.saved = done.saved
        reply(answer)
    }

    private struct Refusal: Encodable {
        var ok = false
        var error: String
    }

    /// Whether the process at the other end of `fd` runs as this process's user (or root).
    static func peerIsOwner(_ fd: Int32) -> Bool {
        let uid = latchkey_peer_uid(fd)
        return uid >= 0 && (uid == Int(geteuid()) || uid == 0)
    }
}

/// The client side of ``LockControlChannel``: sends one line, returns the reply.
public enum LockControlClient {
    /// Why the lock could not be asked.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Sends `command` to the control socket at `path` and waits up to `timeout` for the answer.
    /// Throws ``Failure`` when nothing listens there or no answer decodes; a refusal by the lock
    /// is a reply with `ok` false.
    public static func send(_ command: LockControl, to path: String, timeout: Duration = .seconds(10)) throws(Failure) -> LockControlReply {
        let link: SeqPacketLink
        do {
            link = try SeqPacketLink.connect(path: path, maximumPDUSize: LockControlChannel.maximumLine)
        } catch {
            throw Failure(description: "no lock listens at \(path): \(error)")
        }
        defer { link.close() }
        let bytes: [UInt8]?
        do {
            try link.send(Array(command.description.utf8))
            bytes = try link.receive(timeout: timeout)
        } catch {
            throw Failure(description: "the lock at \(path) did not answer: \(error)")
        }
        guard let bytes else { throw Failure(description: "the lock at \(path) did not answer within \(timeout)") }
        if let reply = try? JSONDecoder().decode(LockControlReply.self, from: Data(bytes)) { return reply }
        struct Refusal: Decodable { var error: String }
        if let refusal = try? JSONDecoder().decode(Refusal.self, from: Data(bytes)) { throw Failure(description: refusal.error) }
        throw Failure(description: "the lock at \(path) answered something that is not a control reply")
    }
}
