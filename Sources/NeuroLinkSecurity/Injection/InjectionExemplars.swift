#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A short attack text for the semantic signal's reference bank.
public struct InjectionExemplar: Sendable, Hashable, Codable {
    public let text: String
    public let family: InjectionFamily

    public init(text: String, family: InjectionFamily) {
        self.text = text
        self.family = family
    }
}

/// The attack exemplars the daemon embeds once with its local model; a prompt's highest
/// similarity to them is passed to ``InjectionScorer/score(_:semanticSimilarity:)``.
public enum InjectionExemplars {
    /// Decoded from `AttackExemplars.json`, embedded at build time; empty only if that file were
    /// broken, which a unit test rules out.
    public static let bank: [InjectionExemplar] = {
        struct File: Decodable {
            var exemplars: [InjectionExemplar]
        }
        let file = try? JSONDecoder().decode(File.self, from: Data(PackageResources.AttackExemplars_json))
        return file?.exemplars ?? []
    }()
}
