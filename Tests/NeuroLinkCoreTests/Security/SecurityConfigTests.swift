import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkSecurity
import Testing

@testable import NeuroLinkCore

/// `security:`: presets under the file's keys, policies over the defaults, filters, and the
/// mistakes the loader names.
@Suite struct SecurityConfigTests {
    static let providers = """
        providers:
          - name: a
            type: openai-compatible
            base_url: http://127.0.0.1:1/v1
            default_model: m
        """

    static func parse(_ security: String) throws(ConfigError) -> DaemonConfig.Security {
        try ConfigLoader(environment: [:]).parse(providers + "\nsecurity:\n" + security, file: "s.yaml").security
    }

    @Test func presetsFillDefaultsThatKeysOverride() throws {
        #expect(DaemonConfig.Security().rules.injection.mode == .flag)
        let hipaa = try Self.parse("  preset: hipaa\n")
        #expect(hipaa.rules.injection.mode == .block && hipaa.rules.redaction.input && hipaa.rules.redaction.output)
        let relaxed = try Self.parse("  preset: hipaa\n  redaction: {input: false}\n  injection: {threshold: 0.7}\n")
        #expect(
            !relaxed.rules.redaction.input && relaxed.rules.redaction.output && relaxed.rules.injection.mode == .block
        )
        #expect(relaxed.rules.injection.threshold == 0.7)
    }

    @Test func policiesStartFromTheDefaultsAndMatchByTenantUidOrGroup() throws {
        let security = try Self.parse(
            """
              preset: enterprise
              policies:
                - name: ops
                  match: {groups: [ops]}
                  redaction: {output: false}
                - name: bob
                  match: {tenants: [bob], uids: [1001]}
                  providers: {allow: ["open*"], deny: [openrouter]}
                  max_tokens: 100
                - name: rest
            """
        )
        #expect(security.policies.map(\.name) == ["ops", "bob", "rest"])
        #expect(security.policies[0].rules.injection.mode == .block && !security.policies[0].rules.redaction.output)
        #expect(security.policyGroups == ["ops"])
        var caller = Caller(uid: 1001, isAdmin: false, tenant: TenantKey("x"))
        #expect(security.policy(for: caller)?.name == "bob")
        caller.groups = ["ops"]
        #expect(security.policy(for: caller)?.name == "ops", "first match wins")
        #expect(security.policy(for: Caller(uid: 5, tenant: TenantKey("bob")))?.name == "bob")
        #expect(security.policy(for: Caller(uid: 5, tenant: TenantKey("zed")))?.name == "rest")
        let providers = security.policies[1].providers
        #expect(providers.refusal("openai") == nil)
        #expect(providers.refusal("openrouter") == "deny openrouter")
        #expect(providers.refusal("anthropic") == "not in allow [open*]")
    }

    @Test func adminMethodsAndMethodListsRefuseWithTheRule() throws {
        let security = try Self.parse("  policies:\n    - name: p\n      methods: {allow: [generate, \"cache.*\"]}\n")
        let caller = Caller(uid: 7, tenant: TenantKey("t"))
        #expect(security.refusal(method: "generate", caller: caller) == nil)
        #expect(security.refusal(method: "cache.clear", caller: caller) == nil)
        let status = try #require(security.refusal(method: "status", caller: caller))
        #expect(status.type == .forbidden && status.code == -32016 && status.data.rule == "p")
        #expect(status.message == "policy p: method status is not allowed (not in allow [generate, cache.*])")
        #expect(security.refusal(method: Method.auditVerify, caller: caller)?.data.rule == "admin")
        // Policies apply to whoever they match, admins included; with none, an admin may call admin methods.
        #expect(security.refusal(method: Method.auditVerify, caller: Caller(uid: 0, isAdmin: true))?.data.rule == "p")
        let admin = Caller(uid: 0, isAdmin: true)
        #expect(DaemonConfig.Security().refusal(method: Method.auditVerify, caller: admin) == nil)
    }

    @Test func filtersParseIntoRules() throws {
        let security = try Self.parse(
            "  filters:\n    - {term: darn}\n    - {id: ids, regex: \"ID-[0-9]+\", max_length: 20, action: stop}\n"
        )
        #expect(security.filters.rules.map(\.id) == ["filters[0]", "ids"])
        #expect(security.filters.rules[1].action == .stop)
    }

    @Test(arguments: [
        ("  preset: paranoid\n", "security.preset"),
        ("  limits: {roles: [user, robot]}\n", "security.limits.roles"),
        ("  injection: {threshold: 2}\n", "security.injection.threshold"),
        ("  injection: {classifier: {provider: nobody}}\n", "security.injection.classifier.provider"),
        ("  redaction: {types: [email, dna]}\n", "security.redaction.types"),
        ("  filters:\n    - {term: a, regex: b}\n", "security.filters[0]"),
        ("  filters:\n    - {regex: \"(\"}\n", "security.filters[0]"),
        ("  policies:\n    - match: {uids: [1]}\n", "security.policies[0].name"),
        ("  policies:\n    - {name: x}\n    - {name: x}\n", "security.policies[1].name"),
    ])
    func mistakesAreNamedByKey(yaml: String, key: String) {
        let error = #expect(throws: ConfigError.self) { try Self.parse(yaml) }
        #expect(error?.key == key, "\(String(describing: error))")
    }

    @Test func globsMatchWholeNamesWithoutBacktrackingBlowUps() {
        #expect(Glob.matches("gpt-4o*", "gpt-4o-mini") && !Glob.matches("gpt-4o*", "gpt-4"))
        #expect(Glob.matches("*-large", "m-large") && Glob.matches("a?c", "abc") && !Glob.matches("a?c", "ac"))
        #expect(Glob.matches("*", "") && !Glob.matches("", "x"))
        let evil = String(repeating: "a", count: 10_000)
        #expect(!Glob.matches(String(repeating: "*a", count: 50) + "b", evil))
    }

    @Test func inputLimitsNameTheLimit() {
        var limits = InputLimits()
        limits.maxPromptCharacters = 5
        let chat = ChatRequest(
            messages: [ChatMessage(role: "user", content: "héllo!")],
            model: "m",
            maxTokens: nil,
            temperature: nil
        )
        #expect(limits.violation(chat)?.data.rule == "max_prompt_chars")
        limits.maxPromptCharacters = 6
        #expect(limits.violation(chat) == nil, "characters, not bytes")
        limits.maxMessages = 0
        #expect(limits.violation(chat)?.data.rule == "max_messages")
    }
}
