import Foundation
import Testing

/// Issue 15, "battery notification reaches the owner": `lock serve --notify-command` and
/// `--notify-url` get the battery alert once per fall below 20 %, the URL through a retry.
@Suite(.serialized) struct NotifyTests {
    /// A local HTTP server (Python's http.server) that answers the first POST with 500 and the
    /// others with 200, and appends each body to a file.
    static let server = """
        import http.server, sys
        port_file, log_file = sys.argv[1], sys.argv[2]
        count = [0]
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                count[0] += 1
                with open(log_file, 'ab') as log:
                    log.write(b'%d %s %s\\n' % (count[0], self.headers['Content-Type'].encode(), body))
                self.send_response(500 if count[0] == 1 else 200)
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
        with open(port_file, 'w') as f:
            f.write(str(server.server_address[1]))
        server.serve_forever()
        """

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs /usr/bin/python3 for the local HTTP server"))
    func theBatteryAlertIsPushedOncePerFallBelow20Percent() throws {
        let folder = NSTemporaryDirectory() + "latchkey-notify-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.server.write(toFile: folder + "/server.py", atomically: true, encoding: .utf8)
        let http = Process()
        http.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        http.arguments = [folder + "/server.py", folder + "/port", folder + "/posts"]
        http.environment = ["PATH": "/usr/bin:/bin"]
        http.standardOutput = FileHandle.nullDevice
        http.standardError = FileHandle.nullDevice
        try http.run()
        defer {
            // SIGKILL: the test process may pass SIGTERM on as ignored.
            kill(http.processIdentifier, SIGKILL)
            http.waitUntilExit()
        }
        var port = ""
        for _ in 0..<250 where port.isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
            port = (try? String(contentsOfFile: folder + "/port", encoding: .utf8)) ?? ""
        }
        #expect(!port.isEmpty, "the HTTP server did not start")

        let lock = Process()
        lock.executableURL = URL(fileURLWithPath: try MultiProcessTests.binary())
        lock.arguments = [
            "lock", "serve", "--state", "lock.json", "--nuki-id", "2A37599A", "--duration", "60",
            "--notify-url", "http://127.0.0.1:\(port)/hook", "--notify-command", "cat >> notes.jsonl; echo \"$LATCHKEY_EVENT\" >> names.txt",
        ]
        lock.currentDirectoryURL = URL(fileURLWithPath: folder)
        lock.environment = ["LATCHKEY_DEVICES_DIR": folder + "/devices", "PATH": "/usr/bin:/bin"]
        lock.standardOutput = FileHandle.nullDevice
        let errors = folder + "/stderr"
        FileManager.default.createFile(atPath: errors, contents: nil)
        lock.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try lock.run()
        defer {
            lock.terminate()
            lock.waitUntilExit()
        }
        for _ in 0..<250 where !FileManager.default.fileExists(atPath: folder + "/devices/54D27237599A.control") { Thread.sleep(forTimeInterval: 0.02) }

        // 15 %: the alert; 10 %: still below, nothing new; 80 % then 19 %: a second alert.
        for percent in ["15", "10", "80", "19"] {
            #expect(try MultiProcessTests.run(["lock", "battery", percent], in: folder).status == 0)
        }
        func lines(_ name: String) -> [String] {
            ((try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        for _ in 0..<500 where lines("posts").count < 3 || lines("notes.jsonl").count < 2 { Thread.sleep(forTimeInterval: 0.02) }
        Thread.sleep(forTimeInterval: 0.3)  // anything more would have arrived by now
        #expect(lines("names.txt") == ["batteryCritical", "batteryCritical"])
        #expect(lines("notes.jsonl") == [
            #"{"event":"batteryCritical","nukiID":"2A37599A","percent":15,"schema":1}"#,
            #"{"event":"batteryCritical","nukiID":"2A37599A","percent":19,"schema":1}"#,
        ])
        // The first POST got 500 and was sent again.
        #expect(lines("posts") == [
            #"1 application/json {"event":"batteryCritical","nukiID":"2A37599A","percent":15,"schema":1}"#,
            #"2 application/json {"event":"batteryCritical","nukiID":"2A37599A","percent":15,"schema":1}"#,
            #"3 application/json {"event":"batteryCritical","nukiID":"2A37599A","percent":19,"schema":1}"#,
        ])
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        #expect(stderr == "latchkey: notification batteryCritical to http://127.0.0.1:\(port)/hook failed (attempt 1 of 4): HTTP 500\n")
    }

    @Test func badNotifyOptionsAreUsageErrors() throws {
        let folder = try FilesAndFoldersTests.folder()
        let cases: [([String], String)] = [
            (["--notify-url", "ftp://example.com/x"], "Error: --notify-url: \"ftp://example.com/x\" is not an http or https URL"),
            (["--notify-url", "not a url"], "Error: --notify-url: \"not a url\" is not an http or https URL"),
            (["--notify-command", "  "], "Error: --notify-command is empty"),
            (["--notify-event", "batteryCritical"], "Error: --notify-event needs --notify-command or --notify-url"),
        ]
        for (arguments, message) in cases {
            let run = try MultiProcessTests.runForErrors(["lock", "serve", "--duration", "1"] + arguments, in: folder)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.stderr.split(separator: "\n").first.map(String.init) == message, "\(arguments): \(run.stderr)")
        }
    }
}
