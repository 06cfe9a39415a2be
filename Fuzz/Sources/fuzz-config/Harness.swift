import Foundation
import FuzzSupport
import NeuroLinkCore

/// A private directory for the configuration file and the paths it names relative to itself,
/// removed when libFuzzer exits.
let directory: String = {
    let path = NSTemporaryDirectory() + "neurolink-fuzz-config-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: directory) }
    return path
}()

let configPath = directory + "/neurolinkd.yaml"

/// No environment: no credentials, overrides or home directory leak in from the fuzzing machine.
let loader = ConfigLoader(environment: ["HOME": directory])

/// Pseudo-file systems whose files never end or block when read (`api_key_file: /dev/zero`).
/// An operator's own file names are trusted; the harness keeps the fuzzer off them.
func namesPseudoFile(_ bytes: [UInt8]) -> Bool {
    let prefixes = ["/dev/", "/proc/", "/sys/"].map { Array($0.utf8) }
    for start in bytes.indices where bytes[start] == UInt8(ascii: "/") {
        if prefixes.contains(where: { bytes[start...].starts(with: $0) }) { return true }
    }
    return false
}

/// The YAML configuration loader: the input is the file's text. A text that parses is also
/// written to a private file and loaded as `neurolinkd --config` does (overrides, validation).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if namesPseudoFile(bytes) { return 0 }
    let text = String(decoding: bytes, as: UTF8.self)
    do {
        _ = try loader.parse(text, file: configPath)
    } catch {
        _ = error.description
        return 0
    }
    // Not an empty file: Foundation 6.3 leaks a 4 KiB buffer on every `String(contentsOfFile:)` of
    // one, which would stop the fuzzer with a leak report (the daemon's loss is 4 KiB per reload).
    guard !bytes.isEmpty,
        FileManager.default.createFile(
            atPath: configPath,
            contents: Data(bytes),
            attributes: [.posixPermissions: 0o600]
        )
    else { return 0 }
    do { _ = try loader.load(path: configPath) } catch { _ = error.description }
    return 0
}
