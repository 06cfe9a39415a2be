import Foundation
import Testing

@testable import NeuroLinkCore

@Suite struct StateFilesTests {
    /// The daemon opens its four databases at once, each preparing the same missing directory:
    /// none may fail because another created it first.
    @Test func directoryPreparedByManyThreadsAtOnce() async throws {
        let root = FileManager.default.temporaryDirectory.path + "/statefiles-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for round in 0..<20 {
            let directory = "\(root)/\(round)/a/b"
            let failures = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask { (try? StateFiles.prepareDirectory(of: "\(directory)/db\(index).sqlite")) == nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 0)
            var isDirectory: ObjCBool = false
            #expect(
                FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue
            )
        }
    }

    @Test func aFileInTheWayIsStillAnError() throws {
        let root = FileManager.default.temporaryDirectory.path + "/statefiles-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: root + "/file", contents: Data()))
        #expect(throws: (any Error).self) { try StateFiles.prepareDirectory(of: root + "/file/db.sqlite") }
    }
}
