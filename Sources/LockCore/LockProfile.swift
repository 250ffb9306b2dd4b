import LockWire

/// A Nuki device the emulated lock can be (`latchkey lock serve --model`): a table of documented
/// facts per model and firmware, resolved into a ``LockModel`` by ``model(firmware:)``. Every
/// behaviour that differs between devices is read from the resolved model, nowhere else.
///
/// | profile | device | firmware (default) | Keyturner States | Config | Advanced Config | PIN | pairing | Exchange MTU | connections | door sensor |
/// |---|---|---|---|---|---|---|---|---|---|---|
/// | `sl1` | Smart Lock 1.0 | 1.x (1.10.0) | 20 (19 before 1.9.3) | 74 (71 before 1.9.3) | 31, immediate auto lock 0xFF (28 before 1.9.3) | u16, 4 digits | §3.1 | from 1.9.3 | 4 (1 before 1.9.3) | none |
/// | `sl2` | Smart Lock 2.0 | 2.x (2.14.2) | 21 (19 before 2.7.20) | 74 (71 before 2.7.20) | 31 (28 before 2.7.20) | u16, 4 digits | §3.1 | from 2.7.20 | 4 (1 before 2.7.20) | yes |
/// | `sl3`, `sl3pro` | Smart Lock 3.0 (Pro: Wi-Fi) | 3.x (3.8.2) | 21 | 77 | 31 | u16, 4 digits | §3.1 | yes | 4 | yes |
/// | `sl4`, `sl4pro` | Smart Lock 4th gen (Pro: Wi-Fi) | 4.x (4.2.0) | 27 | 78 | 31 | u16, 4 digits | §3.1 | yes | 4 | yes |
/// | `ultra` | Smart Lock Ultra | 5.x (5.0.0) | 27 | 79 | 33 | u32, 6 digits | Ultra §3.4 | yes | 4 | yes |
/// | `go` | Smart Lock Go | 4.x–5.x (5.0.0) | 27 | 78 | 31 | 5.x: u32, 6 digits; 4.x: u16 | 5.x: Ultra §3.4; 4.x: §3.1 | yes | 4 | yes |
///
/// Sources (protocol.md tags): lengths [S21] [S23] §5.5/§5.8/§5.9 and §12, pyNukiBT commit 5e5a4dd
/// (Smart Lock 1.0 sends no accessory-battery byte), pyNukiBT's fix "StreamError parsing Config on
/// older Smart Lock firmware" (the 71-byte Config); Exchange MTU from SL 1.9.3 / 2.7.20 [S23]
/// "MTU note" (API 2.2.1); about 4 concurrent connections, old firmware 1 (field notes, protocol.md
/// §13); u32 6-digit PIN and the Ultra pairing [S23] §3.4, Smart Lock Go 5.x pairing the Ultra
/// way (protocol.md §13); no door sensor on Smart Lock 1.0 (c't 5/2019: the door sensor is new
/// in 2.0); capabilities, has keypad 2 and Matter status [S23] §5.8. Choices the record leaves
/// open (which firmware counts as "old" for Config and connections, default firmware numbers,
/// hardware revisions, the Ultra's 79th Config byte) are listed in the README.
public enum LockProfile: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case sl1, sl2, sl3, sl3pro, sl4, sl4pro, ultra, go

    /// The product's name, e.g. "Smart Lock 3.0 Pro".
    public var productName: String {
        switch self {
        case .sl1: return "Smart Lock 1.0"
        case .sl2: return "Smart Lock 2.0"
        case .sl3: return "Smart Lock 3.0"
        case .sl3pro: return "Smart Lock 3.0 Pro"
        case .sl4: return "Smart Lock 4th gen"
        case .sl4pro: return "Smart Lock 4th gen Pro"
        case .ultra: return "Smart Lock Ultra"
        case .go: return "Smart Lock Go"
        }
    }

    public var description: String { rawValue }

    /// The firmware a lock of this profile runs unless `--firmware` says otherwise.
    public var defaultFirmware: FirmwareVersion {
        switch self {
        case .sl1: return FirmwareVersion(major: 1, minor: 10, patch: 0)
        case .sl2: return FirmwareVersion(major: 2, minor: 14, patch: 2)
        case .sl3, .sl3pro: return FirmwareVersion(major: 3, minor: 8, patch: 2)
        case .sl4, .sl4pro: return FirmwareVersion(major: 4, minor: 2, patch: 0)
        case .ultra, .go: return FirmwareVersion(major: 5, minor: 0, patch: 0)
        }
    }

    /// The firmware major versions this device runs (a Smart Lock 2.0 runs 2.x, and so on).
    public var firmwareMajors: ClosedRange<UInt8> {
        switch self {
        case .sl1: return 1...1
        case .sl2: return 2...2
        case .sl3, .sl3pro: return 3...3
        case .sl4, .sl4pro: return 4...4
        case .ultra: return 5...5
        case .go: return 4...5
        }
    }

    /// The first firmware that answers Exchange MTU; earlier firmware refuses it (Request Not
    /// Supported) and carries 20-byte values only. Nil: every firmware of the device does.
    /// Source: Nuki BLE API 2.2.1 "MTU note" ([S23]: supported since SL 1.9.3 / 2.7.20).
    public var firstFirmwareExchangingMTU: FirmwareVersion? {
        switch self {
        case .sl1: return FirmwareVersion(major: 1, minor: 9, patch: 3)
        case .sl2: return FirmwareVersion(major: 2, minor: 7, patch: 20)
        default: return nil
        }
    }

    /// The facts of this device on `firmware` (nil: ``defaultFirmware``).
    /// - Throws: ``LockProfileError`` when the firmware's major version is not this device's.
    public func model(firmware: FirmwareVersion? = nil) throws(LockProfileError) -> LockModel {
        let firmware = firmware ?? defaultFirmware
        guard firmwareMajors.contains(firmware.major) else {
            throw LockProfileError(
                "firmware \(firmware) is not a \(productName) firmware (\(firmwareMajors.lowerBound == firmwareMajors.upperBound ? "\(firmwareMajors.lowerBound).x" : "\(firmwareMajors.lowerBound).x to \(firmwareMajors.upperBound).x"))")
        }
        // "Old firmware" (protocol.md §13: 71-byte Config, one connection) is taken to be the
        // firmware from before the MTU exchange, the one firmware boundary the API documents.
        let old = firstFirmwareExchangingMTU.map { firmware < $0 } ?? false
        let ultraPairing = (self == .ultra) || (self == .go && firmware.major >= 5)
        var model = LockModel(
            keyturnerStatesLength: 21, wireContext: ultraPairing ? .ultra : .smartLock, firmwareVersion: firmware,
            hardwareRevision: HardwareRevision(major: 2, minor: 5), deviceType: nil, motorStepMilliseconds: 1000)
        model.profile = self
        model.exchangesMTU = !old
        model.maxConnections = old ? 1 : 4
        switch self {
        case .sl1:
            model.keyturnerStatesLength = old ? 19 : 20
            model.hardwareRevision = HardwareRevision(major: 1, minor: 0)
            model.configByteCount = old ? 71 : 74
            model.advancedConfigByteCount = old ? 28 : 31
            model.reportsImmediateAutoLock = false
            model.hasDoorSensor = false
        case .sl2:
            model.keyturnerStatesLength = old ? 19 : 21
            model.hardwareRevision = HardwareRevision(major: 2, minor: 0)
            model.configByteCount = old ? 71 : 74
            model.advancedConfigByteCount = old ? 28 : 31
        case .sl3, .sl3pro:
            model.deviceType = 0x04
            model.configByteCount = 77
            model.capabilities = self == .sl3pro ? 0x01 : 0x00
        case .sl4, .sl4pro:
            model.keyturnerStatesLength = 27
            model.hardwareRevision = HardwareRevision(major: 3, minor: 0)
            model.deviceType = 0x04
            model.configByteCount = 78
            model.capabilities = self == .sl4pro ? 0x03 : 0x02
        case .ultra:
            model.keyturnerStatesLength = 27
            model.hardwareRevision = HardwareRevision(major: 5, minor: 0)
            model.deviceType = 0x05
            model.configByteCount = 79
            model.advancedConfigByteCount = 33
            model.capabilities = 0x03
        case .go:
            model.keyturnerStatesLength = 27
            model.hardwareRevision = HardwareRevision(major: 4, minor: 0)
            model.deviceType = ultraPairing ? 0x05 : 0x04
            model.configByteCount = 78
            model.capabilities = 0x02
        }
        return model
    }

    /// `X.Y.Z` (each 0–255) as a firmware version; nil for anything else.
    public static func parseFirmware(_ text: String) -> FirmwareVersion? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt8(part) else { return nil }
            numbers.append(n)
        }
        return FirmwareVersion(major: numbers[0], minor: numbers[1], patch: numbers[2])
    }

    /// The profiles as a table for `lock serve --help` (lines under 80 columns): a header, one row
    /// per profile (firmware, Keyturner States/Config/Advanced Config bytes, PIN digits, pairing,
    /// connections), then what old firmware and the firmware-dependent profiles change.
    public static var catalogue: [String] {
        func cell(_ text: String, _ width: Int) -> String {
            text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
        }
        var lines = [cell("profile", 8) + cell("device", 24) + cell("firmware", 9) + "KS  Config Adv  PIN pairing  conn"]
        for profile in allCases {
            guard let model = try? profile.model() else { continue }
            lines.append(
                cell(profile.rawValue, 8) + cell(profile.productName, 24) + cell(model.firmwareVersion.description, 9)
                    + cell("\(model.keyturnerStatesLength)", 4) + cell("\(model.configByteCount)", 7) + cell("\(model.advancedConfigByteCount)", 5)
                    + cell("\(model.securityPINDigits)", 4) + cell(model.wireContext.ultraPairing ? "Ultra" : "standard", 9) + "\(model.maxConnections)")
        }
        let old = allCases.compactMap { profile in profile.firstFirmwareExchangingMTU.map { "\(profile.rawValue) before \($0)" } }
        lines.append(old.joined(separator: ", ") + ": no Exchange MTU, KS 19, Config 71, Adv 28, 1 conn.")
        lines.append("sl1: no door sensor, immediate auto lock 0xFF. go on 4.x: standard pairing, PIN 4.")
        return lines
    }
}

/// A firmware that does not exist for the chosen device (``LockProfile/model(firmware:)``).
public struct LockProfileError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension FirmwareVersion: Comparable {
    /// Major, then minor, then patch.
    public static func < (a: FirmwareVersion, b: FirmwareVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }
}
