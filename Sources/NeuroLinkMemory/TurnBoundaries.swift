import NeuroLinkBasics

/// Where to cut a conversation so that what is kept is its newest whole turns.
///
/// A turn starts at a user message and runs to the next one, so cutting only before user messages
/// never leaves an assistant answer without its question at the start.
enum TurnBoundaries {
    /// One message as the cut sees it.
    struct Entry {
        var startsTurn: Bool
        var cost: Int
    }

    /// The smallest index `i` such that `entries[i...]` starts a turn and satisfies `fits`, or
    /// `entries.count` (keep nothing) when no such suffix fits.
    ///
    /// `fits` receives the suffix's message count and summed cost (saturating, negative costs count
    /// as 0), and must be monotonic: a suffix that fits still fits when shortened.
    static func keptStart(of entries: [Entry], fits: (_ count: Int, _ cost: Int) -> Bool) -> Int {
        var suffixCost = Array(repeating: 0, count: entries.count + 1)
        for index in entries.indices.reversed() {
            suffixCost[index] = suffixCost[index + 1].addingSaturating(max(0, entries[index].cost))
        }
        for index in entries.indices where entries[index].startsTurn {
            if fits(entries.count - index, suffixCost[index]) { return index }
        }
        return entries.count
    }
}
