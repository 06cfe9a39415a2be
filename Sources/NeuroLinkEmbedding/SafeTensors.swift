import Foundation

/// The tensors of a `.safetensors` file: an 8-byte little-endian header length, a JSON header
/// (`{"name": {"dtype", "shape", "data_offsets": [start, end]}, "__metadata__": {...}}`), then the
/// raw data. Only `F32` tensors are read. Every size and offset is checked against the file: a
/// damaged or hostile file is an error, never a crash.
struct SafeTensors {
    struct Entry: Decodable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]
    }

    private let data: Data
    private let entries: [String: Entry]
    private let dataStart: Int

    init(contentsOf path: String) throws(EmbeddingError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw .unreadable(path, "\(error.localizedDescription)")
        }
        guard data.count >= 8 else { throw .malformed(path, "shorter than its header length") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard length <= 100_000_000, 8 + Int(length) <= data.count else {
            throw .malformed(path, "header length \(length) does not fit the file")
        }
        let header = data.subdata(in: 8..<(8 + Int(length)))
        guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
            throw .malformed(path, "the header is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in object where name != "__metadata__" {
            guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
                let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
                offsets.count == 2
            else { throw .malformed(path, "tensor \(name) has no dtype, shape and data_offsets") }
            entries[name] = Entry(dtype: dtype, shape: shape, data_offsets: offsets)
        }
        self.data = data
        self.entries = entries
        dataStart = 8 + Int(length)
    }

    /// The `F32` tensor `name`, which must have `shape`.
    func floats(_ name: String, shape: [Int]) throws(EmbeddingError) -> [Float] {
        guard let entry = entries[name] else { throw .malformed("model.safetensors", "no tensor \(name)") }
        guard entry.dtype == "F32", entry.shape == shape else {
            throw .malformed("model.safetensors", "\(name) is \(entry.dtype) \(entry.shape), expected F32 \(shape)")
        }
        let count = shape.reduce(1, *)
        let (start, end) = (entry.data_offsets[0], entry.data_offsets[1])
        guard start >= 0, end - start == count * 4, dataStart + end <= data.count else {
            throw .malformed("model.safetensors", "\(name)'s data lies outside the file")
        }
        var values = [Float](repeating: 0, count: count)
        _ = values.withUnsafeMutableBytes { target in
            data.copyBytes(to: target, from: (dataStart + start)..<(dataStart + end))
        }
        // The format is little-endian, as is every machine this runs on; swap otherwise.
        if UInt32(littleEndian: 1) != 1 {
            for index in values.indices { values[index] = Float(bitPattern: values[index].bitPattern.byteSwapped) }
        }
        return values
    }
}

/// Why the embedding model cannot be used.
public enum EmbeddingError: Error, CustomStringConvertible, Sendable {
    case unreadable(String, String)
    case malformed(String, String)
    /// A shared library the model needs (OpenBLAS) could not be opened: its name and why.
    case libraryUnavailable(String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): "cannot read \(path): \(why)"
        case .malformed(let path, let why): "\(path) is not a usable model file: \(why)"
        case .libraryUnavailable(let name, let why): "cannot load \(name): \(why)"
        }
    }
}
