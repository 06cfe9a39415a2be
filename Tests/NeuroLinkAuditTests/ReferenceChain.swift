import Crypto
import Foundation
import GRDB
import NeuroLinkProtocol

/// The chain's hash computed from a stored row straight from the scheme documented on `AuditChain`,
/// written apart from the module's code so that the two check each other.
enum ReferenceChain {
    static func hash(of row: Row) throws -> String {
        var body = Data([1])
        body.append(bigEndian: row["id"] as Int64)
        body.append(bigEndian: (row["time"] as Double).bitPattern)
        body.append(text: row["type"] as String)
        body.append(optional: row["tenant"] as String?) { $0.append(text: $1) }
        body.append(optional: row["uid"] as Int64?) { $0.append(bigEndian: UInt32($1)) }
        body.append(optional: row["request_id"] as String?) { $0.append(text: $1) }
        body.append(optional: row["rule"] as String?) { $0.append(text: $1) }
        body.append(optional: row["counts"] as String?) { data, json in
            let counts = (try? JSONDecoder().decode([String: Int64].self, from: Data(json.utf8))) ?? [:]
            data.append(bigEndian: UInt32(counts.count))
            for key in counts.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                data.append(text: key)
                data.append(bigEndian: counts[key] ?? 0)
            }
        }
        body.append(optional: row["detail"] as String?) { $0.append(text: $1) }
        let prevHash: String = row["prev_hash"]
        let digest = SHA256.hash(data: Data(prevHash.utf8) + body)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}

extension Data {
    fileprivate mutating func append<T: FixedWidthInteger>(bigEndian value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    fileprivate mutating func append(text: String) {
        append(bigEndian: UInt32(text.utf8.count))
        append(contentsOf: Array(text.utf8))
    }

    fileprivate mutating func append<T>(optional value: T?, _ appendValue: (inout Data, T) -> Void) {
        guard let value else {
            append(0)
            return
        }
        append(1)
        appendValue(&self, value)
    }
}
