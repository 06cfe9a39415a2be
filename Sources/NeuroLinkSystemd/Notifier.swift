import CSystemd

/// Sends service state to the service manager (`sd_notify(3)`).
///
/// Outside systemd (`NOTIFY_SOCKET` unset) every call is a no-op, so the daemon runs the same
/// with or without a service manager.
public struct Notifier: Sendable {
    private let deliver: @Sendable (String) -> Void

    /// Whether a service manager listens (`NOTIFY_SOCKET` was set at start).
    public let isEnabled: Bool

    /// A notifier that delivers each message to `deliver`; for tests and for composing notifiers.
    public init(isEnabled: Bool = true, deliver: @escaping @Sendable (String) -> Void) {
        self.isEnabled = isEnabled
        self.deliver = deliver
    }

    /// The notifier talking to systemd through `sd_notify`, enabled when `environment` has `NOTIFY_SOCKET`.
    ///
    /// `sd_notify` reads the socket address from the process environment itself; `environment` only
    /// decides whether to bother.
    public static func systemd(environment: [String: String]) -> Notifier {
        let enabled = !(environment["NOTIFY_SOCKET"] ?? "").isEmpty
        return Notifier(isEnabled: enabled) { message in
            // The environment is left in place (argument 0): unsetting it would race with other
            // threads reading the environment, and the daemon starts no child processes.
            _ = sd_notify(0, message)
        }
    }

    /// A notifier that drops everything.
    public static let disabled = Notifier(isEnabled: false) { _ in }

    /// Sends `states` as one message.
    public func notify(_ states: NotifyState...) {
        notify(states)
    }

    /// Sends `states` as one message.
    public func notify(_ states: [NotifyState]) {
        guard isEnabled, !states.isEmpty else { return }
        deliver(NotifyState.message(states))
    }
}
