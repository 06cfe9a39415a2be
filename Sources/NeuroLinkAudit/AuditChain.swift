import Crypto
import NeuroLinkProtocol

/// The hash chain that makes the audit log tamper-evident.
///
/// Every row of the table `audit_events` stores, besides the event, `prev_hash` (the `hash` of the
/// row before it; for the first row, 64 `0` characters) and its own `hash`:
///
///     hash = lower-case hex of SHA-256( ASCII bytes of prev_hash ‖ encoding(row) )
///
/// `encoding(row)` is self-delimiting, so no two different rows encode alike. Integers are
/// big-endian; `text` is a 4-byte unsigned byte count followed by the UTF-8 bytes; an optional part
/// is the byte `0x00` when the column is NULL, or `0x01` followed by the part:
///
/// | part         | bytes                                                       |
/// |--------------|-------------------------------------------------------------|
/// | version      | `0x01`                                                      |
/// | `id`         | 8, signed                                                   |
/// | `time`       | 8: the IEEE 754 binary64 bit pattern of the REAL column     |
/// | `type`       | text                                                        |
/// | `tenant`     | optional text                                               |
/// | `uid`        | optional 4, unsigned                                        |
/// | `request_id` | optional text                                               |
/// | `rule`       | optional text                                               |
/// | `counts`     | optional map                                                |
/// | `detail`     | optional text                                               |
///
/// The `counts` column holds a JSON object of integers; its map is a 4-byte entry count, then for
/// each entry, in ascending order of the key's UTF-8 bytes, text(key) and the value in 8 bytes,
/// signed. The prefix `0x01` is the version of this encoding.
///
/// The log is intact when the ids run 1, 2, 3, … without a gap, every row's `prev_hash` equals the
/// `hash` of the row before it, and every row's `hash` is the one computed from its columns. This
/// script checks the file, or a copy made with `sqlite3 audit.sqlite ".backup copy.sqlite"`:
///
///     import hashlib, json, sqlite3, struct, sys
///     def text(s): b = s.encode(); return struct.pack(">I", len(b)) + b
///     def opt(v, f): return b"\x00" if v is None else b"\x01" + f(v)
///     def counts(j):
///         items = sorted(json.loads(j).items(), key=lambda kv: kv[0].encode())
///         return struct.pack(">I", len(items)) + b"".join(text(k) + struct.pack(">q", v) for k, v in items)
///     prev, expected = "0" * 64, 1
///     for (id, time, type, tenant, uid, request, rule, cnt, detail, prev_hash, hash) in sqlite3.connect(
///             sys.argv[1]).execute("SELECT id, time, type, tenant, uid, request_id, rule, counts, detail,"
///                                  " prev_hash, hash FROM audit_events ORDER BY id"):
///         body = (b"\x01" + struct.pack(">qd", id, time) + text(type) + opt(tenant, text)
///                 + opt(uid, lambda u: struct.pack(">I", u)) + opt(request, text) + opt(rule, text)
///                 + opt(cnt, counts) + opt(detail, text))
///         if id != expected or prev_hash != prev or hashlib.sha256(prev_hash.encode() + body).hexdigest() != hash:
///             sys.exit(f"the chain breaks at row {expected}")
///         prev, expected = hash, id + 1
///     print(f"{expected - 1} rows intact, head {prev}")
///
/// Anyone who can write the file can also recompute every hash after an edit: the chain proves
/// nothing on its own. What anchors it is the head (`head_id`, `head_hash`) that the writer logs to
/// the journal after each batch; compare the file's head with the last one logged.
enum AuditChain {
    /// The `prev_hash` of the first row.
    static let genesis = String(repeating: "0", count: 64)
    static let formatVersion: UInt8 = 1

    /// The `hash` of the row `id` holding `event`, chained after `previous`.
    static func hash(id: Int64, event: AuditEvent, previous: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(previous.utf8))
        hasher.update(data: encoding(id: id, event: event))
        return hex(hasher.finalize())
    }

    /// The rows for `events`, numbered and chained after `head` (or from the start).
    static func link(_ events: [AuditEvent], after head: AuditHead?) -> [AuditRow] {
        var id = head?.id ?? 0
        var previous = head?.hash ?? genesis
        return events.map { event in
            id += 1
            let row = AuditRow(
                id: id,
                event: event,
                prevHash: previous,
                hash: hash(id: id, event: event, previous: previous)
            )
            previous = row.hash
            return row
        }
    }

    static func encoding(id: Int64, event: AuditEvent) -> [UInt8] {
        var bytes: [UInt8] = [formatVersion]
        bytes.reserveCapacity(128)
        appendInteger(id, to: &bytes)
        appendInteger(event.time.bitPattern, to: &bytes)
        appendText(event.type.rawValue, to: &bytes)
        appendOptional(event.tenant, to: &bytes) { appendText($0, to: &$1) }
        appendOptional(event.uid, to: &bytes) { appendInteger($0, to: &$1) }
        appendOptional(event.requestId, to: &bytes) { appendText($0, to: &$1) }
        appendOptional(event.rule, to: &bytes) { appendText($0, to: &$1) }
        appendOptional(event.counts, to: &bytes) { appendCounts($0, to: &$1) }
        appendOptional(event.detail, to: &bytes) { appendText($0, to: &$1) }
        return bytes
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    private static func appendText(_ text: String, to bytes: inout [UInt8]) {
        appendInteger(UInt32(truncatingIfNeeded: text.utf8.count), to: &bytes)
        bytes.append(contentsOf: text.utf8)
    }

    private static func appendOptional<T>(
        _ value: T?,
        to bytes: inout [UInt8],
        _ appendValue: (T, inout [UInt8]) -> Void
    ) {
        guard let value else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        appendValue(value, &bytes)
    }

    private static func appendCounts(_ counts: [String: Int], to bytes: inout [UInt8]) {
        appendInteger(UInt32(truncatingIfNeeded: counts.count), to: &bytes)
        // By UTF-8 bytes, not by `String`'s order, which compares canonical equivalents as equal.
        for (key, value) in counts.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            appendText(key, to: &bytes)
            appendInteger(Int64(value), to: &bytes)
        }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters: [UInt8] = []
        characters.reserveCapacity(64)
        for byte in digest {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}

/// The id and hash of the last row written.
struct AuditHead: Sendable, Hashable {
    var id: Int64
    var hash: String
}
