import NeuroLinkProtocol
import Testing

@Suite struct SocketPathTests {
    @Test func anExplicitPathWinsThenTheVariableThenTheDefaults() {
        let variables = ["NEUROLINK_SOCKET": "/srv/n.sock", "XDG_RUNTIME_DIR": "/run/user/1000"]
        #expect(SocketPath.resolve(explicit: "/x.sock", environment: variables, uid: 1000) == "/x.sock")
        #expect(SocketPath.resolve(explicit: "", environment: variables, uid: 1000) == "/srv/n.sock")
        #expect(
            SocketPath.resolve(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000)
                == "/run/user/1000/neurolink/neurolinkd.sock"
        )
        #expect(
            SocketPath.resolve(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], uid: 0)
                == "/run/neurolink/neurolinkd.sock"
        )
        #expect(SocketPath.resolve(environment: [:], uid: 1000) == "/tmp/neurolink-1000/neurolinkd.sock")
    }
}
