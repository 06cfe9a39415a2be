import Foundation

/// Choosing and checking the AWS region a provider talks to.
public enum AWSRegion {
    /// The config's `region` option, else `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    public static func resolve(option: String?, environment: [String: String]) -> String? {
        [option, environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]]
            .compactMap { $0?.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty }
    }

    /// Whether `region` looks like an AWS region name (`us-east-1`, `eu-central-2`, …).
    ///
    /// The region becomes part of a host name and of the signing scope, so anything outside
    /// lower-case letters, digits and `-` is refused rather than spliced into a URL.
    public static func isValid(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 32
            && region.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-")
            }
    }
}
