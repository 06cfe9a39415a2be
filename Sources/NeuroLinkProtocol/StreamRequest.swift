import NeuroLinkBasics

/// One message of a conversation.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text; may be empty for an assistant message that only calls tools.
    public var content: String
    /// Tool calls an `assistant` message made.
    public var toolCalls: [ToolCall]?
    /// For a `tool` message: the id of the call this is the result of.
    public var toolCallId: String?

    public init(role: String, content: String, toolCalls: [ToolCall]? = nil, toolCallId: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
    }

    /// The roles accepted in `messages`.
    public static let roles: Set<String> = ["system", "user", "assistant", "tool"]
}

/// Params of `stream` and `generate`.
public struct StreamRequest: Sendable, Hashable, Codable {
    /// A single prompt: `{"text": "..."}`. Exactly one of `input` and `messages` is given.
    public var input: Input?
    public var messages: [ChatMessage]?
    /// A configured provider name, or `"auto"`.
    public var provider: String?
    public var model: String?
    public var maxTokens: Int?
    public var temperature: Double?
    /// Nucleus sampling, 0 to 1: sample only from the most likely tokens whose probabilities add up to this.
    public var topP: Double?
    /// 1 to 16 sequences (each 1 to 256 characters) that end the answer where the model writes one.
    public var stop: [String]?
    /// Asks the provider for reproducible sampling, where it supports it; an integer within ±(2⁵³ − 1).
    public var seed: Int?
    public var systemPrompt: String?
    /// Total time allowed for the request, in milliseconds.
    public var timeoutMs: Int?
    /// Free-form caller context (user id, session id, ...), kept for analytics.
    public var context: [String: JSONValue]?
    /// Functions the model may call.
    public var tools: [ToolDefinition]?
    public var toolChoice: ToolChoice?
    /// JSON Schema the answer must conform to (structured output).
    public var schema: JSONValue?
    /// Pool members lacking any of these specializations (`function_calling`, `reasoning`, ...) are skipped.
    public var requiredCapabilities: [String]?
    /// After a failure mid-stream, continue the answer on another pool member instead of ending
    /// with an error.
    public var continueOnFailure: Bool?
    /// 0 (lowest) to 9 (highest): order in the admission queue when priorities are enabled.
    public var priority: Int?
    /// `stream`: `analytics` chunks while the answer streams; both methods: `analytics` in the result.
    public var enableAnalytics: Bool?
    /// After the answer, a judge model scores it (`evaluation` chunk and result).
    public var enableEvaluation: Bool?
    /// The perspective the judge takes, e.g. "Senior Developer".
    public var evaluationDomain: String?
    /// How the request uses the response cache.
    public var cache: CacheControl?
    /// Offers the model every daemon tool the caller's policy allows (`tools.list`); the daemon
    /// runs the ones it calls and continues the answer with their results.
    public var enableTools: Bool?
    /// With `context.sessionId`: prepend the session's history and keep this turn in it
    /// (`memory.default_for` decides when absent).
    public var memory: Bool?
    /// Most model turns the daemon's tool loop takes (1 to ``maxToolSteps``); `tools.max_steps`
    /// when absent.
    public var maxSteps: Int?

    public struct Input: Sendable, Hashable, Codable {
        public var text: String
        public init(text: String) { self.text = text }
    }

    public init(
        prompt: String? = nil,
        messages: [ChatMessage]? = nil,
        provider: String? = nil,
        model: String? = nil,
        maxTokens: Int? = nil,
        temperature: Double? = nil,
        systemPrompt: String? = nil,
        timeoutMs: Int? = nil,
        context: [String: JSONValue]? = nil,
        tools: [ToolDefinition]? = nil,
        toolChoice: ToolChoice? = nil,
        schema: JSONValue? = nil,
        requiredCapabilities: [String]? = nil,
        continueOnFailure: Bool? = nil
    ) {
        self.requiredCapabilities = requiredCapabilities
        self.continueOnFailure = continueOnFailure
        self.input = prompt.map(Input.init(text:))
        self.messages = messages
        self.provider = provider
        self.model = model
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.systemPrompt = systemPrompt
        self.timeoutMs = timeoutMs
        self.context = context
        self.tools = tools
        self.toolChoice = toolChoice
        self.schema = schema
    }
}

extension StreamRequest {
    /// `context.sessionId`, the conversation memory's session.
    public var sessionId: String? { context?["sessionId"]?.stringValue }

    /// Whether the daemon runs tools for this request (`enableTools`, a daemon tool named, or a
    /// client-executed tool): its answer may take several model turns.
    public var runsTools: Bool {
        enableTools == true || tools?.contains(where: { $0.execution != nil }) == true
    }

    /// Reads and validates params from parsed JSON, naming the offending field on failure.
    public init(json: JSONValue?) throws(RPCError) {
        guard let params = json?.objectValue else {
            throw RPCError(.invalidParams, "params must be an object")
        }
        self.init()
        for key in params.keys where !Self.knownKeys.contains(key) {
            throw RPCError(.invalidParams, "params.\(key) is not a known parameter")
        }
        if let input = params["input"], input != .null {
            guard let text = input["text"]?.stringValue else {
                throw RPCError(.invalidParams, "params.input must be an object with a string 'text'")
            }
            self.input = Input(text: text)
        }
        if let messages = params["messages"], messages != .null {
            guard let list = messages.arrayValue else {
                throw RPCError(.invalidParams, "params.messages must be an array")
            }
            self.messages = try list.enumerated().map { index, item throws(RPCError) in
                try ChatMessage(json: item, index: index)
            }
        }
        switch (input, messages) {
        case (nil, nil): throw RPCError(.invalidParams, "params needs either input.text or messages")
        case (.some, .some): throw RPCError(.invalidParams, "params takes input or messages, not both")
        case (.some(let i), nil) where i.text.isEmpty: throw RPCError(.invalidParams, "params.input.text is empty")
        case (nil, .some(let m)) where m.isEmpty: throw RPCError(.invalidParams, "params.messages is empty")
        default: break
        }
        provider = try Self.string(params, "provider")
        model = try Self.string(params, "model")
        systemPrompt = try Self.string(params, "systemPrompt")
        maxTokens = try Self.int(params, "maxTokens", range: 1...10_000_000)
        timeoutMs = try Self.int(params, "timeoutMs", range: 1...86_400_000)
        if let t = params["temperature"], t != .null {
            guard let value = t.numberValue, (0...2).contains(value) else {
                throw RPCError(.invalidParams, "params.temperature must be a number from 0 to 2")
            }
            temperature = value
        }
        if let p = params["topP"], p != .null {
            guard let value = p.numberValue, (0...1).contains(value) else {
                throw RPCError(.invalidParams, "params.topP must be a number from 0 to 1")
            }
            topP = value
        }
        stop = try Self.stopSequences(params)
        seed = try Self.int(params, "seed", range: -Int.maxSafeJSONInteger...Int.maxSafeJSONInteger)
        if let list = params["tools"], list != .null {
            guard let array = list.arrayValue else { throw RPCError(.invalidParams, "params.tools must be an array") }
            tools = try array.enumerated().map { index, item throws(RPCError) in
                try ToolDefinition(json: item, index: index)
            }
        }
        enableTools = try Self.bool(params, "enableTools")
        memory = try Self.bool(params, "memory")
        maxSteps = try Self.int(params, "maxSteps", range: 1...Self.maxToolSteps)
        if let choice = params["toolChoice"], choice != .null {
            toolChoice = try ToolChoice(json: choice, tools: tools, anyTool: enableTools == true)
        }
        if let schema = params["schema"], schema != .null {
            guard schema.objectValue != nil else {
                throw RPCError(.invalidParams, "params.schema must be a JSON Schema object")
            }
            self.schema = schema
        }
        if let c = params["context"], c != .null {
            guard let object = c.objectValue else { throw RPCError(.invalidParams, "params.context must be an object") }
            context = object
        }
        if let list = params["requiredCapabilities"], list != .null {
            guard let array = list.arrayValue, array.count <= 32,
                case let names = array.compactMap(\.stringValue), names.count == array.count,
                !names.contains(where: \.isEmpty)
            else {
                throw RPCError(
                    .invalidParams,
                    "params.requiredCapabilities must be an array of at most 32 non-empty strings"
                )
            }
            requiredCapabilities = names
        }
        priority = try Self.int(params, "priority", range: 0...9)
        continueOnFailure = try Self.bool(params, "continueOnFailure")
        enableAnalytics = try Self.bool(params, "enableAnalytics")
        enableEvaluation = try Self.bool(params, "enableEvaluation")
        cache = try Self.cacheControl(params)
        evaluationDomain = try Self.string(params, "evaluationDomain")
        if let domain = evaluationDomain,
            domain.unicodeScalars.count > Self.maxDomainLength
                || domain.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        {
            throw RPCError(
                .invalidParams,
                "params.evaluationDomain must be at most \(Self.maxDomainLength) characters without control characters"
            )
        }
    }

    /// Reads `params.cache`.
    private static func cacheControl(_ p: [String: JSONValue]) throws(RPCError) -> CacheControl? {
        guard let value = p["cache"], value != .null else { return nil }
        guard let object = value.objectValue else {
            throw RPCError(.invalidParams, "params.cache must be an object")
        }
        for key in object.keys where !["mode", "ttlMs", "namespace", "semantic"].contains(key) {
            throw RPCError(.invalidParams, "params.cache.\(key) is not a known parameter")
        }
        var control = CacheControl()
        if let mode = object["mode"], mode != .null {
            guard let name = mode.stringValue, let parsed = CacheMode(rawValue: name) else {
                let modes = CacheMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw RPCError(.invalidParams, "params.cache.mode must be one of \(modes)")
            }
            control.mode = parsed
        }
        control.ttlMs = try int(object, "cache.ttlMs", key: "ttlMs", range: 1...CacheControl.maxTTLMs)
        if let semantic = object["semantic"], semantic != .null {
            guard case .bool(let flag) = semantic else {
                throw RPCError(.invalidParams, "params.cache.semantic must be a boolean")
            }
            control.semantic = flag
        }
        if let namespace = object["namespace"], namespace != .null {
            guard let text = namespace.stringValue, (1...CacheControl.maxNamespaceLength).contains(text.utf8.count),
                text.utf8.allSatisfy({ $0.isASCIINamespaceByte })
            else {
                throw RPCError(
                    .invalidParams,
                    "params.cache.namespace must be 1-\(CacheControl.maxNamespaceLength) letters, digits, '.', '_' or '-'"
                )
            }
            control.namespace = text
        }
        return control
    }

    /// Longest `evaluationDomain` accepted, in Unicode scalars.
    public static let maxDomainLength = 200

    private static func bool(_ p: [String: JSONValue], _ key: String) throws(RPCError) -> Bool? {
        guard let v = p[key], v != .null else { return nil }
        guard case .bool(let value) = v else { throw RPCError(.invalidParams, "params.\(key) must be a boolean") }
        return value
    }

    private init() {}

    static let knownKeys: Set<String> = [
        "input", "messages", "provider", "model", "maxTokens", "temperature", "topP", "stop", "seed", "systemPrompt",
        "timeoutMs", "context", "tools", "toolChoice", "schema", "requiredCapabilities", "continueOnFailure",
        "priority", "enableAnalytics", "enableEvaluation", "evaluationDomain", "cache", "enableTools", "maxSteps",
        "memory",
    ]

    /// The most model turns one request's tool loop may take.
    public static let maxToolSteps = 50

    /// Most `stop` sequences accepted.
    public static let maxStopSequences = 16
    /// Longest `stop` sequence accepted, in Unicode scalars.
    public static let maxStopSequenceLength = 256

    /// `stop`: a string (one sequence) or an array of them.
    private static func stopSequences(_ p: [String: JSONValue]) throws(RPCError) -> [String]? {
        guard let v = p["stop"], v != .null else { return nil }
        let items = v.arrayValue ?? [v]
        let sequences = items.compactMap(\.stringValue)
        guard sequences.count == items.count, (1...maxStopSequences).contains(sequences.count),
            sequences.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.count <= maxStopSequenceLength })
        else {
            throw RPCError(
                .invalidParams,
                "params.stop must be a string or an array of 1 to \(maxStopSequences) strings, "
                    + "each 1 to \(maxStopSequenceLength) characters"
            )
        }
        return sequences
    }

    private static func string(_ p: [String: JSONValue], _ key: String) throws(RPCError) -> String? {
        guard let v = p[key], v != .null else { return nil }
        guard let s = v.stringValue, !s.isEmpty else {
            throw RPCError(.invalidParams, "params.\(key) must be a non-empty string, not \(v.typeName)")
        }
        return s
    }

    /// Any whole number in `range`: `intValue` stops at ±9×10¹⁵, short of `seed`'s ±(2⁵³ − 1).
    private static func int(
        _ p: [String: JSONValue],
        _ name: String,
        key: String? = nil,
        range: ClosedRange<Int>
    ) throws(RPCError) -> Int? {
        guard let v = p[key ?? name], v != .null else { return nil }
        guard let n = v.numberValue, let i = Int(exactly: n), range.contains(i) else {
            throw RPCError(
                .invalidParams,
                "params.\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return i
    }
}

/// Params of `cancel`.
public struct CancelRequest: Sendable, Hashable, Codable {
    public var requestId: RPCID
    public init(requestId: RPCID) { self.requestId = requestId }
}

/// Result of `cancel`: whether a running request with that id was found and stopped.
public struct CancelResult: Sendable, Hashable, Codable {
    public var cancelled: Bool
    public init(cancelled: Bool) { self.cancelled = cancelled }
}

/// Result of `health`.
public struct HealthResult: Sendable, Hashable, Codable {
    public var status: String
    public init(status: String = "ok") { self.status = status }
}

extension ChatMessage {
    /// Reads `params.messages[index]`.
    init(json item: JSONValue, index: Int) throws(RPCError) {
        let path = "params.messages[\(index)]"
        guard let role = item["role"]?.stringValue, ChatMessage.roles.contains(role) else {
            throw RPCError(.invalidParams, "\(path).role must be one of system, user, assistant, tool")
        }
        var toolCalls: [ToolCall]?
        if let calls = item["toolCalls"], calls != .null {
            guard role == "assistant", let array = calls.arrayValue else {
                throw RPCError(.invalidParams, "\(path).toolCalls is an array, allowed on assistant messages only")
            }
            toolCalls = try array.enumerated().map { callIndex, call throws(RPCError) in
                guard let id = call["id"]?.stringValue, let name = call["name"]?.stringValue,
                    let arguments = call["arguments"], arguments.objectValue != nil
                else {
                    throw RPCError(
                        .invalidParams,
                        "\(path).toolCalls[\(callIndex)] needs id, name and an arguments object"
                    )
                }
                return ToolCall(id: id, name: name, arguments: arguments)
            }
        }
        let content = item["content"]
        guard let text = content?.stringValue ?? ((content == nil || content == .null) && toolCalls != nil ? "" : nil)
        else {
            throw RPCError(.invalidParams, "\(path).content must be a string")
        }
        var toolCallId: String?
        if role == "tool" {
            guard let id = item["toolCallId"]?.stringValue, !id.isEmpty else {
                throw RPCError(.invalidParams, "\(path).toolCallId must name the tool call this message answers")
            }
            toolCallId = id
        }
        self.init(role: role, content: text, toolCalls: toolCalls, toolCallId: toolCallId)
    }
}

extension UInt8 {
    /// A letter, digit, `.`, `_` or `-`: the bytes of a cache namespace.
    fileprivate var isASCIINamespaceByte: Bool {
        (0x30...0x39).contains(self) || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self)
            || self == 0x2E || self == 0x5F || self == 0x2D
    }
}
