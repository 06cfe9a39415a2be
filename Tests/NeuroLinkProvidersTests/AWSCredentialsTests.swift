import Foundation
import NeuroLinkProviders
import Testing

@Suite struct AWSCredentialsTests {
    /// A credentials file in a fresh temporary directory; removed by the caller.
    static func credentialsFile(_ text: String) throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("credentials").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (directory, path)
    }

    static let file = """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        [work]
        ; another comment
        aws_access_key_id=AKIDWORK
        aws_secret_access_key=work-secret
        aws_session_token = work-token
        [broken]
        aws_access_key_id = AKIDBROKEN
        """

    @Test func environmentKeysWin() {
        let credentials = AWSCredentials.resolve(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        #expect(credentials?.accessKeyId == "AKIDENV")
        #expect(credentials?.secretAccessKey.value == "env-secret")
        #expect(credentials?.sessionToken?.value == "env-token")
        #expect(credentials?.source.description == "aws:env")
    }

    @Test func profilesFromTheSharedFile() throws {
        let (directory, path) = try Self.credentialsFile(Self.file)
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = ["AWS_SHARED_CREDENTIALS_FILE": path]

        let fallback = try #require(AWSCredentials.resolve(environment: base))
        #expect(fallback.accessKeyId == "AKIDDEFAULT" && fallback.secretAccessKey.value == "default-secret")
        #expect(fallback.sessionToken == nil)
        #expect(fallback.source.description == "aws:profile:default")

        let work = try #require(AWSCredentials.resolve(environment: base.merging(["AWS_PROFILE": "work"]) { $1 }))
        #expect(work.accessKeyId == "AKIDWORK" && work.sessionToken?.value == "work-token")
        #expect(work.source == .profile("work"))

        // An explicit profile is used even though environment keys are set.
        let explicit = AWSCredentials.resolve(
            environment: base.merging(["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"]) { $1 },
            profile: "work"
        )
        #expect(explicit?.accessKeyId == "AKIDWORK")

        #expect(
            AWSCredentials.resolve(environment: base, profile: "broken") == nil,
            "a profile without a secret is unusable"
        )
        #expect(AWSCredentials.resolve(environment: base, profile: "missing") == nil)
    }

    @Test func homeDirectoryFile() throws {
        let (directory, _) = try Self.credentialsFile("")
        defer { try? FileManager.default.removeItem(at: directory) }
        let aws = directory.appendingPathComponent(".aws")
        try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
        try "[default]\naws_access_key_id=AKIDHOME\naws_secret_access_key=s\n".write(
            toFile: aws.appendingPathComponent("credentials").path,
            atomically: true,
            encoding: .utf8
        )
        #expect(
            AWSCredentials.sharedCredentialsPath(environment: ["HOME": directory.path]) == aws.path + "/credentials"
        )
        #expect(AWSCredentials.resolve(environment: ["HOME": directory.path])?.accessKeyId == "AKIDHOME")
    }

    @Test func nothingFound() {
        #expect(AWSCredentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]) == nil)
        #expect(
            AWSCredentials.resolve(environment: [
                "AWS_ACCESS_KEY_ID": "only-id", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            ]) == nil
        )
    }

    @Test func regions() {
        #expect(AWSRegion.resolve(option: "eu-west-1", environment: ["AWS_REGION": "us-east-1"]) == "eu-west-1")
        #expect(
            AWSRegion.resolve(option: nil, environment: ["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "x"])
                == "us-west-2"
        )
        #expect(AWSRegion.resolve(option: "", environment: ["AWS_DEFAULT_REGION": "ap-south-1"]) == "ap-south-1")
        #expect(AWSRegion.resolve(option: nil, environment: [:]) == nil)
        #expect(AWSRegion.isValid("us-east-1"))
        #expect(!AWSRegion.isValid("evil.com/x"))
        #expect(!AWSRegion.isValid("US-EAST-1"))
        #expect(!AWSRegion.isValid(""))
    }
}
