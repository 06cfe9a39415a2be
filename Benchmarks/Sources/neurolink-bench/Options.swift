import Foundation

/// Command-line options of `neurolink-bench`.
struct Options: Sendable {
    enum Section: String, Sendable, CaseIterable {
        case startup, ttft, throughput, idle, soak, admission, writer, decode, analytics, cache, security, instructions,
            front
    }

    var daemonPath = ""
    var quick = false
    var soakSeconds: Int?
    /// Mix faulty streams into the soak (``SoakFault``).
    var soakFaults = false
    /// Run the daemon with every stage on (``DaemonHarness/allStagesConfig(modelDirectory:)``), and
    /// let the soak's requests exercise them (varied prompts, sessions).
    var allStages = false
    /// Count the daemon's heap allocations during the throughput runs (``AllocationCounter``).
    var allocations = false
    /// Stalled streams the idle section opens.
    var idleStreams = 1000
    /// The sections to run; `nil` runs them all (the soak only with `--soak`).
    var only: Set<Section>?
    /// LiteLLM's `litellm` executable for the front section's third column (`Benchmarks/compare-litellm.sh` installs it).
    var litellmPath: String?
    /// `Benchmarks/recorded.json`: figures this run is compared with, and replaces with `--record`.
    var figuresPath: String?
    var record = false
    /// The commit measured, for the recorded figures (`run.sh` passes it).
    var commit = "?"
    /// Where the instructions section keeps callgrind's dumps (for `callgrind_annotate`); by default
    /// they go to a temporary folder that is removed.
    var callgrindDirectory: String?

    static let usage = """
        usage: neurolink-bench --daemon PATH [--quick] [--soak SECONDS | --soak-minutes N] [--faults] [--all-stages]
                               [--allocations] [--idle-streams N]
                               [--only SECTION[,SECTION...]] [--litellm PATH]
                               [--figures PATH [--record]] [--commit REV] [--callgrind-dir DIR]

          --daemon PATH     the neurolinkd binary to measure (build it with -c release); not needed by --only admission,writer,decode
          --quick           fewer samples and shorter streams (a smoke run, not for the record)
          --soak SECONDS    also run the soak: continuous streams for SECONDS, RSS sampled every 10 s
          --idle-streams N  the idle section opens N stalled streams (default 1000); the bench (holding the upstream's
                            side) and the daemon each need an open-file limit above N + N/50
          --soak-minutes N  the same, for N minutes
          --litellm PATH    LiteLLM's `litellm` executable: the front section also measures its proxy
                            (Benchmarks/compare-litellm.sh installs it into a bench-only venv)
          --figures PATH    compare this run's headline figures with those recorded in PATH (regressions of
                            more than 15 % in added TTFT or CPU per chunk are called out)
          --record          then replace PATH's figures with this run's
          --commit REV      the commit measured, kept with recorded figures
          --callgrind-dir DIR  the instructions section keeps callgrind's dumps in DIR (created if needed;
                            one per zero-to-dump interval, in order: warm-up excluded), for callgrind_annotate
          --faults          the soak mixes faulty streams (upstream errors, drops, stalls, malformed
                            frames, vanishing clients, garbage frames) into every worker's requests
          --all-stages      the daemon runs with every stage on: analytics, audit, exact cache (and the
                            semantic tier when NEUROLINK_MODEL_DIR names the embedding model), input and
                            output redaction, an output filter, injection detection, conversation memory;
                            the soak's requests vary their prompts and use sessions
          --allocations     count the daemon's heap allocations during the throughput runs (perf uprobes
                            on libc's malloc family; needs root and linux-perf): allocations per chunk
          --only LIST       run only these sections, in the usual order: a comma-separated list of
                            startup, ttft, throughput, idle, soak, admission, writer, decode, analytics, cache,
                            security, instructions (the daemon under callgrind: instructions per 1,000 chunks; needs
                            valgrind and objcopy), front (the OpenAI-compatible HTTP front against direct and, with
                            --litellm, LiteLLM)
                            (soak needs --soak; analytics starts two daemons, with and without analytics;
                            cache needs the embedding model: NEUROLINK_MODEL_DIR or scripts/embedding-model.sh)
        """

    static func parse(_ arguments: [String]) throws(BenchError) -> Options {
        var options = Options()
        var rest = arguments[...]
        func value(_ flag: String) throws(BenchError) -> String {
            guard let next = rest.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--daemon": options.daemonPath = try value(argument)
            case "--quick": options.quick = true
            case "--soak":
                let text = try value(argument)
                guard let seconds = Int(text), (10...86_400).contains(seconds) else {
                    throw BenchError.usage("--soak takes whole seconds from 10 to 86400, not \(text)")
                }
                options.soakSeconds = seconds
            case "--soak-minutes":
                let text = try value(argument)
                guard let minutes = Int(text), (1...1440).contains(minutes) else {
                    throw BenchError.usage("--soak-minutes takes whole minutes from 1 to 1440, not \(text)")
                }
                options.soakSeconds = minutes * 60
            case "--faults": options.soakFaults = true
            case "--all-stages": options.allStages = true
            case "--allocations": options.allocations = true
            case "--idle-streams":
                let text = try value(argument)
                guard let count = Int(text), (1...50_000).contains(count) else {
                    throw BenchError.usage("--idle-streams takes a count from 1 to 50000, not \(text)")
                }
                options.idleStreams = count
            case "--figures": options.figuresPath = try value(argument)
            case "--record": options.record = true
            case "--commit": options.commit = try value(argument)
            case "--callgrind-dir": options.callgrindDirectory = try value(argument)
            case "--litellm":
                let path = try value(argument)
                guard FileManager.default.isExecutableFile(atPath: path) else {
                    throw BenchError.usage("--litellm: \(path) is not an executable file")
                }
                options.litellmPath = path
            case "--only":
                let text = try value(argument)
                var sections = Set<Section>()
                for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let section = Section(rawValue: String(name)) else {
                        throw BenchError.usage(
                            "--only takes a comma-separated list of "
                                + Section.allCases.map(\.rawValue).joined(separator: ", ") + ", not \(text)"
                        )
                    }
                    sections.insert(section)
                }
                options.only = sections
            case "-h", "--help": throw BenchError.usage("")
            default: throw BenchError.usage("unknown argument \(argument)")
            }
        }
        // The admission, writer and decode sections measure in process: they need no daemon.
        if options.needsUpstream {
            guard !options.daemonPath.isEmpty else { throw BenchError.usage("--daemon PATH is required") }
            guard FileManager.default.isExecutableFile(atPath: options.daemonPath) else {
                throw BenchError.usage("\(options.daemonPath) is not an executable file")
            }
        }
        if options.record, options.figuresPath == nil { throw BenchError.usage("--record needs --figures PATH") }
        if options.only?.contains(.soak) == true || options.soakFaults, options.soakSeconds == nil {
            throw BenchError.usage("--only soak and --faults need --soak SECONDS or --soak-minutes N")
        }
        return options
    }

    /// Whether any section needs the daemon and the loopback upstream (admission, writer and decode run in process).
    var needsUpstream: Bool { only.map { !$0.isSubset(of: [.admission, .writer, .decode]) } ?? true }

    func runs(_ section: Section) -> Bool {
        if let only { return only.contains(section) }
        return section == .soak ? soakSeconds != nil : true
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case timeout(String)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let message): message.isEmpty ? Options.usage : "\(message)\n\n\(Options.usage)"
        case .timeout(let what): "timed out: \(what)"
        case .failed(let what): what
        }
    }
}
