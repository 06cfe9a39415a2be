import NeuroLinkSystemd
import Synchronization
import Testing

@Suite struct NotifyStateTests {
    @Test func linesFollowTheSdNotifyProtocol() {
        #expect(NotifyState.ready.line == "READY=1")
        #expect(NotifyState.stopping.line == "STOPPING=1")
        #expect(NotifyState.watchdog.line == "WATCHDOG=1")
        #expect(NotifyState.mainPID(4242).line == "MAINPID=4242")
        #expect(NotifyState.reloading(monotonicMicroseconds: 17).line == "RELOADING=1\nMONOTONIC_USEC=17")
        #expect(
            NotifyState.status("serving 3 providers, 12 active streams").line
                == "STATUS=serving 3 providers, 12 active streams"
        )
    }

    @Test func statusTextStaysOnOneLine() {
        #expect(NotifyState.status("a\nREADY=1\r\nb").line == "STATUS=a READY=1 b")
    }

    @Test func severalStatesMakeOneMessage() {
        #expect(NotifyState.message([.ready, .mainPID(7), .status("up")]) == "READY=1\nMAINPID=7\nSTATUS=up")
    }

    @Test func disabledNotifierSendsNothing() {
        let sent = Mutex<[String]>([])
        let notifier = Notifier(isEnabled: false) { message in sent.withLock { $0.append(message) } }
        notifier.notify(.ready)
        #expect(sent.withLock { $0 }.isEmpty)
        let enabled = Notifier { message in sent.withLock { $0.append(message) } }
        enabled.notify(.ready, .status("x"))
        enabled.notify([])
        #expect(sent.withLock { $0 } == ["READY=1\nSTATUS=x"])
    }

    @Test func systemdNotifierIsDisabledWithoutNotifySocket() {
        #expect(!Notifier.systemd(environment: [:]).isEnabled)
        #expect(!Notifier.systemd(environment: ["NOTIFY_SOCKET": ""]).isEnabled)
        #expect(Notifier.systemd(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"]).isEnabled)
    }
}
