/// Why a stdio server's process could not be started; the text never contains arguments or
/// environment values, which may hold secrets.
struct ProcessLaunchError: Error, CustomStringConvertible {
    let description: String
}
