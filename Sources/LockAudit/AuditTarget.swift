/// Where an outward command (`latchkey audit --target T`) reaches the lock under test, parsed once
/// from the one target syntax:
///
/// | syntax | meaning |
/// |---|---|
/// | `socket` | the socket link: the first lock in the discovery folder |
/// | `socket:54:D2:72:37:59:9A` | the lock advertising that address in the discovery folder |
/// | `socket:/path/to/lock.sock` | a lock's Unix SOCK_SEQPACKET socket itself (a path contains `/`) |
/// | `bluez:hci1` | real Bluetooth: scan on controller hci1, the first Nuki lock found |
/// | `bluez:hci1/54:D2:72:37:59:9A` | the lock with that Bluetooth address, scanned on hci1 |
///
/// The same resolution as the peripherals' `--transport socket|bluez:hciN` and `--address`.
public enum AuditTarget: Hashable, Sendable, CustomStringConvertible {
    /// The socket link, with the lock chosen by address, by socket path, or the first found.
    case socket(SocketSelector)
    /// A BlueZ controller (`hciN`) and optionally the lock's address.
    case bluez(adapter: String, address: String?)

    /// How a socket-link target picks its lock.
    public enum SocketSelector: Hashable, Sendable {
        /// The first lock in the discovery folder.
        case first
        /// The lock whose discovery record has this address (`54:D2:72:…`, upper case).
        case address(String)
        /// A socket path given directly (no discovery record).
        case path(String)
    }

    /// A `--target` value that does not parse: the CLI's usage error (exit 64).
    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Parses `text`. Throws ``UsageError`` naming the accepted forms.
    public init(parsing text: String) throws(UsageError) {
        let forms = "--target is socket, socket:ADDRESS, socket:PATH, bluez:hciN or bluez:hciN/ADDRESS"
        if text == "socket" {
            self = .socket(.first)
            return
        }
        if text.hasPrefix("socket:") {
            let rest = String(text.dropFirst("socket:".count))
            if rest.contains("/") {
                self = .socket(.path(rest))
                return
            }
            guard let address = Self.address(rest) else { throw UsageError(description: "\(forms); \(rest) is not an address like 54:D2:72:37:59:9A") }
            self = .socket(.address(address))
            return
        }
        if text.hasPrefix("bluez:") {
            let rest = text.dropFirst("bluez:".count)
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let adapter = Self.adapter(parts[0]) else { throw UsageError(description: "\(forms); \(parts[0]) is not a controller like hci0") }
            if parts.count == 2 {
                guard let address = Self.address(parts[1]) else { throw UsageError(description: "\(forms); \(parts[1]) is not an address like 54:D2:72:37:59:9A") }
                self = .bluez(adapter: adapter, address: address)
            } else {
                self = .bluez(adapter: adapter, address: nil)
            }
            return
        }
        throw UsageError(description: "\(forms), not \(text)")
    }

    /// Whether the target takes one connection at a time: a BlueZ target does (a controller holds
    /// one LE link to a peer, the kernel one ATT channel on it, and a lock stops advertising while a
    /// central is connected, Bluetooth Core 5.4, Vol 6, Part B, §4.4.2); the socket link takes many.
    public var oneLinkAtATime: Bool {
        if case .bluez = self { return true }
        return false
    }

    /// `hciN` (N decimal digits) as given, or nil: the controller syntax of every `bluez:` option.
    public static func adapter(_ text: String) -> String? {
        text.count > 3 && text.hasPrefix("hci") && text.dropFirst(3).allSatisfy({ $0.isASCII && $0.isNumber }) ? text : nil
    }

    /// Six hex octets separated by colons, upper-cased; nil otherwise.
    public static func address(_ text: String) -> String? {
        let octets = text.split(separator: ":", omittingEmptySubsequences: false)
        guard octets.count == 6, octets.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return text.uppercased()
    }

    public var description: String {
        switch self {
        case .socket(.first): return "socket"
        case .socket(.address(let a)): return "socket:\(a)"
        case .socket(.path(let p)): return "socket:\(p)"
        case .bluez(let adapter, nil): return "bluez:\(adapter)"
        case .bluez(let adapter, let address?): return "bluez:\(adapter)/\(address)"
        }
    }
}
