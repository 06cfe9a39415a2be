import NeuroLinkCore
import NeuroLinkLimits
import NeuroLinkProtocol
import Testing

@Suite struct RunningRequestsTests {
    private func caller(_ tenant: String) -> Caller { Caller(tenant: TenantKey(tenant)) }

    @Test func idsAreUniquePerConnectionAndCancelFindsThemThere() throws {
        let requests = RunningRequests()
        let a = requests.makeScope()
        let b = requests.makeScope()
        let first = try requests.register(id: .number(1), method: Method.stream, caller: caller("t"), scope: a)
        #expect(throws: RPCError.self) {
            try requests.register(id: .number(1), method: Method.stream, caller: caller("t"), scope: a)
        }
        _ = try requests.register(id: .number(1), method: Method.stream, caller: caller("t"), scope: b)
        #expect(requests.cancel(id: .number(1), in: a))
        #expect(first.cancelReason == .cancelled)
        #expect(!requests.cancel(id: .number(2), in: a))
        #expect(requests.count == 2)
    }

    @Test func theConnectionAndTenantCapsRefuseWithTheirOwnErrors() throws {
        let requests = RunningRequests(limits: .init(perScope: 2, perTenant: 3))
        let a = requests.makeScope()
        let b = requests.makeScope()
        for id in 1...2 {
            _ = try requests.register(id: .number(Int64(id)), method: "stream", caller: caller("t"), scope: a)
        }
        let perConnection = #expect(throws: RPCError.self) {
            try requests.register(id: .number(3), method: "stream", caller: caller("u"), scope: a)
        }
        #expect(perConnection?.type == .overloaded)
        #expect(perConnection?.message.contains("server.max_requests_per_connection") == true)
        _ = try requests.register(id: .number(3), method: "stream", caller: caller("t"), scope: b)
        let perTenant = #expect(throws: RPCError.self) {
            try requests.register(id: .number(4), method: "stream", caller: caller("t"), scope: b)
        }
        #expect(perTenant?.type == .rateLimited)
        #expect(perTenant?.message.contains("server.max_requests_per_tenant") == true)
        // Another tenant is not held back by the first one's cap.
        _ = try requests.register(id: .number(4), method: "stream", caller: caller("v"), scope: b)
    }

    @Test func theDrainWakesAsSoonAsTheLastRequestEndsAndRefusesNewOnes() async throws {
        let requests = RunningRequests()
        let scope = requests.makeScope()
        let running = try requests.register(id: .number(1), method: "stream", caller: caller("t"), scope: scope)
        requests.beginDraining()
        let refused = #expect(throws: RPCError.self) {
            try requests.register(id: .number(2), method: "stream", caller: caller("t"), scope: scope)
        }
        #expect(refused?.type == .shuttingDown)
        let started = ContinuousClock.now
        let deadline = Duration.seconds(60)
        async let idle = requests.waitUntilIdle(deadline: .now + deadline)
        try await Task.sleep(for: .milliseconds(50))
        requests.finish(running)
        #expect(await idle)
        // Woken by the finish, not by the deadline (however busy the machine, far sooner).
        #expect(ContinuousClock.now - started < deadline)
    }

    @Test func theDrainGivesUpAtItsDeadline() async throws {
        let requests = RunningRequests()
        _ = try requests.register(id: .number(1), method: "stream", caller: caller("t"), scope: requests.makeScope())
        #expect(await requests.waitUntilIdle(deadline: .now + .milliseconds(20)) == false)
    }

    @Test func aClosedConnectionStopsItsRequestsAsClientGone() throws {
        let requests = RunningRequests()
        let scope = requests.makeScope()
        let context = try requests.register(id: .number(1), method: "stream", caller: caller("t"), scope: scope)
        requests.connectionClosed(scope)
        #expect(context.cancelReason == .cancelled)
        #expect(context.isClientGone)
    }

    @Test func aRequestCancelledBeforeItsConnectionClosedStaysCancelled() throws {
        let requests = RunningRequests()
        let scope = requests.makeScope()
        let context = try requests.register(id: .number(1), method: "stream", caller: caller("t"), scope: scope)
        #expect(requests.cancel(id: .number(1), in: scope))
        requests.connectionClosed(scope)
        #expect(context.cancelReason == .cancelled)
        #expect(!context.isClientGone, "its record must say cancelled, not client_gone")
    }
}
