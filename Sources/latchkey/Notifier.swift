import Foundation
import FoundationNetworking
import LockEmulator
import Synchronization

/// The owner's push and e-mail alerts of `lock serve`: each chosen event (default: the battery
/// alert) goes, once, to a command (`--notify-command`, run by `/bin/sh -c` with the notification
/// on standard input and `LATCHKEY_EVENT` set) and/or a URL (`--notify-url`, an HTTP POST of the
/// notification, `Content-Type: application/json`), as a web account's webhook would get it. The
/// product's counterparts (Nuki Smart Lock FAQ, battery below 20 %): push notifications and e-mail
/// alerts through the owner's web account.
///
/// The notification (one JSON object, keys sorted): the event as the JSON event stream has it
/// (`lock serve --format json`, schema ``LockCore/LockEventSchema/version``) plus `"nukiID"` (8 hex
/// digits).
///
/// Delivery: events are only offered after the lock saved the change they report. A worker thread
/// sends them in order; each target gets up to ``attempts`` tries (a command that exits non-zero or
/// runs past 10 s, an HTTP status outside 200–299 or no answer within 10 s), waiting 1 s, 2 s, 4 s
/// between them; each failure and a final give-up go to stderr. At most ``queueLimit``
/// notifications wait; past that the oldest is dropped, with a line on stderr. The loop never
/// waits for a notification.
final class Notifier: Sendable {
    enum Target: Sendable, CustomStringConvertible {
        case command(String)
        case url(URL)

        var description: String {
            switch self {
            case .command(let command): return "command `\(command)`"
            case .url(let url): return url.absoluteString
            }
        }
    }

    let targets: [Target]
    /// Event names (``LockServer/Event/eventName``) to send; empty: every event.
    let events: Set<String>
    let nukiID: String
    let queueLimit: Int
    let attempts: Int
    /// Seconds between tries, the last repeated.
    let backoff: [Double]

    private struct Queue {
        var waiting: [(name: String, body: Data)] = []
        var busy = false
        var stopping = false
    }
    private let queue = Mutex(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let idle = DispatchSemaphore(value: 0)

    init(targets: [Target], events: Set<String>, nukiID: String, queueLimit: Int = 64, attempts: Int = 4, backoff: [Double] = [1, 2, 4]) {
        self.targets = targets
        self.events = events
        self.nukiID = nukiID
        self.queueLimit = max(1, queueLimit)
        self.attempts = max(1, attempts)
        self.backoff = backoff.isEmpty ? [1] : backoff
        let thread = Thread { [self] in work() }
        thread.name = "latchkey notify"
        thread.start()
    }

    /// Queues `event` when it is one to send; never blocks.
    func offer(_ event: LockServer.Event) {
        let name = event.eventName
        guard events.isEmpty || events.contains(name), let body = notification(event) else { return }
        var dropped: String?
        queue.withLock { queue in
            if queue.waiting.count >= queueLimit { dropped = queue.waiting.removeFirst().name }
            queue.waiting.append((name, body))
        }
        if let dropped { Diagnostics.print("notification queue full (\(queueLimit)): dropped the oldest (\(dropped))") }
        wake.signal()
    }

    /// Waits up to `seconds` for the queue to empty, then stops the worker.
    func finish(within seconds: Double) {
        let pending = queue.withLock { queue -> Bool in
            queue.stopping = true
            return !queue.waiting.isEmpty || queue.busy
        }
        wake.signal()
        if pending { _ = idle.wait(timeout: .now() + seconds) }
    }

    /// The event's JSON with `nukiID`.
    func notification(_ event: LockServer.Event) -> Data? {
        guard let encoded = try? JSONEncoder().encode(event),
            var object = (try? JSONSerialization.jsonObject(with: encoded)) as? [String: Any]
        else { return nil }
        object["nukiID"] = nukiID
        return try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    private func work() {
        while true {
            wake.wait()
            while true {
                let next = queue.withLock { queue -> (name: String, body: Data)? in
                    guard !queue.waiting.isEmpty else {
                        queue.busy = false
                        return nil
                    }
                    queue.busy = true
                    return queue.waiting.removeFirst()
                }
                guard let next else { break }
                for target in targets { deliver(next.body, name: next.name, to: target) }
            }
            if queue.withLock({ $0.stopping }) {
                idle.signal()
                return
            }
        }
    }

    private func deliver(_ body: Data, name: String, to target: Target) {
        for attempt in 1...attempts {
            let failure: String?
            switch target {
            case .command(let command): failure = Self.run(command, input: body, event: name)
            case .url(let url): failure = Self.post(body, to: url)
            }
            guard let failure else { return }
            Diagnostics.print("notification \(name) to \(target) failed (attempt \(attempt) of \(attempts)): \(failure)")
            if attempt < attempts { Thread.sleep(forTimeInterval: backoff[min(attempt - 1, backoff.count - 1)]) }
        }
        Diagnostics.print("notification \(name) to \(target): gave up after \(attempts) attempts")
    }

    /// Runs `command` with `input` on stdin; nil when it exited 0 within 10 s, else why not.
    static func run(_ command: String, input: Data, event: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = ProcessInfo.processInfo.environment.merging(["LATCHKEY_EVENT": event]) { $1 }
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do {
            try process.run()
        } catch {
            return "cannot run /bin/sh: \(error.localizedDescription)"
        }
        stdin.fileHandleForWriting.write(input + Data([0x0A]))
        try? stdin.fileHandleForWriting.close()
        if process.isRunning, done.wait(timeout: .now() + 10) == .timedOut {
            process.terminate()
            return "still running after 10 s (terminated)"
        }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : "exit status \(process.terminationStatus)"
    }

    /// POSTs `body` to `url`; nil on a 2xx answer within 10 s, else why not.
    static func post(_ body: Data, to url: URL) -> String? {
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let result = Mutex<String?>("no answer within 10 s")
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, response, error in
            let outcome: String?
            if let error {
                outcome = error.localizedDescription
            } else if let status = (response as? HTTPURLResponse)?.statusCode {
                outcome = (200...299).contains(status) ? nil : "HTTP \(status)"
            } else {
                outcome = "not an HTTP answer"
            }
            result.withLock { $0 = outcome }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 11)
        return result.withLock { $0 }
    }
}
