import Logging
import NeuroLinkHTTP
import NeuroLinkLimits
import NeuroLinkProtocol
import NeuroLinkProviders
import NeuroLinkRouting

extension JSONValue {
    /// Roughly the bytes of this value written as JSON (strings and keys by their UTF-8 length,
    /// every other value by a small constant), computed without recursion so that no nesting depth
    /// can exhaust the stack.
    var approximateSize: Int {
        var size = 0
        var pending: [JSONValue] = [self]
        while let value = pending.popLast() {
            switch value {
            case .null, .bool, .number: size += 8
            case .string(let string): size += string.utf8.count + 2
            case .array(let items):
                size += 2 + items.count
                pending += items
            case .object(let members):
                size += 2
                for (key, member) in members {
                    size += key.utf8.count + 4
                    pending.append(member)
                }
            }
        }
        return size
    }
}
