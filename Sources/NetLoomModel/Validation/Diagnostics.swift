// Lab model / Validation: the collector every stage reports into, so all problems are shown together.

/// Collects errors and warnings; the same error reported twice (e.g. from `defaults.link` for every link)
/// is kept once.
final class Diagnostics {
    private(set) var errors: [LabError] = []
    private(set) var warnings: [LabWarning] = []
    private var seenErrors: Set<LabError> = []
    private var seenWarnings: Set<LabWarning> = []

    var hasErrors: Bool { !errors.isEmpty }

    func report(_ error: LabError) {
        if seenErrors.insert(error).inserted { errors.append(error) }
    }

    func error(_ kind: LabError.Kind, at location: LabLocation, path: String, _ message: String, allowed: String = "") {
        report(LabError(kind, at: location, path: path, message, allowed: allowed))
    }

    func error<T>(_ kind: LabError.Kind, _ value: Located<T>, _ message: String, allowed: String = "") {
        error(kind, at: value.location, path: value.path, message, allowed: allowed)
    }

    func warning(at location: LabLocation, path: String, _ message: String) {
        let warning = LabWarning(at: location, path: path, message)
        if seenWarnings.insert(warning).inserted { warnings.append(warning) }
    }

    /// Throws every error collected so far, sorted by position, if there is any.
    func throwIfErrors() throws(LabErrors) {
        if hasErrors { throw LabErrors(errors) }
    }
}
