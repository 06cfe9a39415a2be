import FoundationEssentials

/// What one line typed in `nlctl chat` asks for: a prompt for the model, or a `/` command.
enum ChatLine: Equatable {
    case prompt(String)
    case blank
    case model(String)
    case provider(String)
    /// `nil` removes the system prompt.
    case system(String?)
    case clear
    case tools(Bool)
    case stats
    case help
    case exit
    /// A known command used wrongly; the text says how to use it.
    case usage(String)
    /// `/name` that names no command.
    case unknown(String)

    init(_ text: String) {
        let line = text.trimmed(while: \.isBlank)
        guard line.hasPrefix("/") else {
            self = line.isEmpty ? .blank : .prompt(line)
            return
        }
        let name = String(line.prefix { !$0.isWhitespace })
        let argument = line.dropFirst(name.count).trimmed(while: \.isBlank)
        self = Self.command(name, argument)
    }

    private static func command(_ name: String, _ argument: String) -> ChatLine {
        switch name {
        case "/model": argument.isEmpty ? .usage("/model NAME") : .model(argument)
        case "/provider": argument.isEmpty ? .usage("/provider NAME") : .provider(argument)
        case "/system": .system(argument.isEmpty ? nil : argument)
        case "/clear": .clear
        case "/tools" where argument == "on": .tools(true)
        case "/tools" where argument == "off": .tools(false)
        case "/tools": .usage("/tools on|off")
        case "/stats": .stats
        case "/help": .help
        case "/exit", "/quit": .exit
        default: .unknown(name)
        }
    }

    static let helpText = """
        Type a message and press Enter; the answer streams as it arrives. Ctrl-C stops an answer.
          /model NAME      use this model from now on
          /provider NAME   use this provider (or pool, or 'auto') from now on
          /system TEXT     set the system prompt (/system alone removes it)
          /clear           forget this session's conversation
          /tools on|off    offer the model the daemon's tools, or stop
          /stats           the last answer's provider, model, timings, tokens and cost
          /help            this text
          /exit            leave (Ctrl-D on an empty line too)
        """
}
