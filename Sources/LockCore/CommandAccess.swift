import LockWire

/// Which ID types may send which command: the command × ID-type matrix that closes the class of
/// CVE-2022-32507 (privileged BLE commands callable by unprivileged users, `docs/attacks.md` §A.1).
///
/// Apps and bridges are admins. Fobs may only read the lock's state and send the fob actions
/// 0x81–0x83 of Lock Action; keypads may only read the state and send Keypad Action. Every
/// client-to-lock command of `docs/wire.md` §4 has a row, and ``rows`` is checked by tests against
/// ``LockWire/Command/documented`` so a new command cannot be added without deciding its row.
/// A refusal is answered with K_ERROR_NOT_AUTHORIZED (0x20).
public enum CommandAccess {
    /// Who may send a command over the encrypted channel.
    public enum Rule: Hashable, Sendable {
        /// App and bridge only.
        case adminOnly
        /// App, bridge, fob and keypad (reading state, fetching a challenge).
        case everyone
        /// App, bridge and fob; a fob only with the fob actions 0x81–0x83 (checked by the lock core).
        case adminOrFob
        /// App, bridge and keypad.
        case adminOrKeypad
        /// Travels only on the pairing channel, or only from lock to client: refused on USDIO.
        case notAClientCommand
    }

    /// One row per documented command id.
    public static let rows: [Command: Rule] = [
        .requestData: .everyone,
        .publicKey: .notAClientCommand,
        .challenge: .notAClientCommand,
        .authorizationAuthenticator: .notAClientCommand,
        .authorizationData: .notAClientCommand,
        .authorizationID: .notAClientCommand,
        .removeAuthorizationEntry: .adminOnly,
        .requestAuthorizationEntries: .adminOnly,
        .authorizationEntry: .notAClientCommand,
        .authorizationDataInvite: .adminOnly,
        .keyturnerStates: .notAClientCommand,
        .lockAction: .adminOrFob,
        .status: .notAClientCommand,
        .mostRecentCommand: .notAClientCommand,
        .openingsClosingsSummary: .notAClientCommand,
        .batteryReport: .notAClientCommand,
        .errorReport: .notAClientCommand,
        .setConfig: .adminOnly,
        .requestConfig: .adminOnly,
        .config: .notAClientCommand,
        .setSecurityPIN: .adminOnly,
        .requestCalibration: .adminOnly,
        .requestReboot: .adminOnly,
        .authorizationIDConfirmation: .notAClientCommand,
        .authorizationIDInvite: .notAClientCommand,
        .verifySecurityPIN: .adminOnly,
        .updateTime: .adminOnly,
        .updateAuthorizationEntry: .adminOnly,
        .authorizationEntryCount: .notAClientCommand,
        .requestLogEntries: .adminOnly,
        .logEntry: .notAClientCommand,
        .logEntryCount: .notAClientCommand,
        .enableLogging: .adminOnly,
        .setAdvancedConfig: .adminOnly,
        .requestAdvancedConfig: .adminOnly,
        .advancedConfig: .notAClientCommand,
        .addTimeControlEntry: .adminOnly,
        .timeControlEntryID: .notAClientCommand,
        .removeTimeControlEntry: .adminOnly,
        .requestTimeControlEntries: .adminOnly,
        .timeControlEntryCount: .notAClientCommand,
        .timeControlEntry: .notAClientCommand,
        .updateTimeControlEntry: .adminOnly,
        .addKeypadCode: .adminOnly,
        .keypadCodeID: .notAClientCommand,
        .requestKeypadCodes: .adminOnly,
        .keypadCodeCount: .notAClientCommand,
        .keypadCode: .notAClientCommand,
        .updateKeypadCode: .adminOnly,
        .removeKeypadCode: .adminOnly,
        .keypadAction: .adminOrKeypad,
        .authorizationInfo: .notAClientCommand,
        .simpleLockAction: .adminOnly,
    ]

    /// Whether `idType` may send `command` on the encrypted channel. Unknown commands and
    /// undocumented ID types are refused.
    public static func allows(_ command: Command, from idType: IDType) -> Bool {
        let admin = idType == .app || idType == .bridge
        switch rows[command] {
#if BUGBENCH_ADMIN_FROM_NON_ADMIN
        case .adminOnly: return admin || idType == .fob
#else
        case .adminOnly: return admin
#endif
        case .everyone: return admin || idType == .fob || idType == .keypad
        case .adminOrFob: return admin || idType == .fob
        case .adminOrKeypad: return admin || idType == .keypad
        case .notAClientCommand, nil: return false
        }
    }
}
