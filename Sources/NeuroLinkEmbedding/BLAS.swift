import COpenBLAS

#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS, opened with `dlopen` the first time a model loads rather than linked: a daemon
/// without the semantic tier never maps it, its Fortran runtime or its CPU probing (about
/// 2.5 ms of every start and 2 MB of resident memory).
struct BLAS: Sendable {
    typealias SGEMM =
        @convention(c) (
            CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint, Float,
            UnsafePointer<Float>?, blasint, UnsafePointer<Float>?, blasint, Float, UnsafeMutablePointer<Float>?,
            blasint
        ) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void

    /// The library's soname, as Debian's `libopenblas0` installs it (through its alternatives).
    static let library = "libopenblas.so.0"

    /// `cblas_sgemm`.
    let sgemm: SGEMM

    /// The process's OpenBLAS, limited to one thread (the embedding worker is the unit of
    /// parallelism); opened once, on first use.
    static func shared() throws(EmbeddingError) -> BLAS { try loaded.get() }

    private static let loaded: Result<BLAS, EmbeddingError> = open()

    private static func open() -> Result<BLAS, EmbeddingError> {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(.libraryUnavailable(library, lastError()))
        }
        guard let sgemm = dlsym(handle, "cblas_sgemm"), let setThreads = dlsym(handle, "openblas_set_num_threads")
        else {
            return .failure(.libraryUnavailable(library, lastError()))
        }
        unsafeBitCast(setThreads, to: SetThreads.self)(1)
        return .success(BLAS(sgemm: unsafeBitCast(sgemm, to: SGEMM.self)))
    }

    private static func lastError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }
}
