import NeuroLinkBasics
import Testing

/// `HeapBox` behaves as a value: copies never see each other's writes.
@Suite struct HeapBoxTests {
    @Test func aCopyWrittenToLeavesTheOriginalAlone() {
        let original = HeapBox([1, 2, 3])
        var copy = original
        copy.value.append(4)
        #expect(original.value == [1, 2, 3])
        #expect(copy.value == [1, 2, 3, 4])
        #expect(original != copy)
    }

    @Test func equalValuesAreEqualAndHashAlike() {
        let a = HeapBox("x")
        let b = HeapBox("x")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }
}
