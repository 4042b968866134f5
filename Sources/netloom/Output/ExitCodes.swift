import ArgumentParser
import NetLoomCore
import NetLoomKernel
import NetLoomModel

/// Exit codes: 0 success, 1 a runtime failure, 2 bad input (lab file or arguments),
/// 3 a capability this machine lacks (privileges, a kernel feature).
enum Exit {
    static let failure = ExitCode(1)
    static let badInput = ExitCode(2)
    static let missingCapability = ExitCode(3)

    /// Prints an error the way users read it and maps it to an exit code.
    static func report(_ error: any Error) -> ExitCode {
        switch error {
        case let errors as LabErrors:
            printError(errors.description)
            return badInput
        case let error as CoreError:
            printError("netloom: \(error)")
            switch error {
            case .needsPrivileges, .unsupported: return missingCapability
            case .unknownNode, .unknownLink, .notRunning: return badInput
            default: return failure
            }
        case let error as KernelError:
            printError("netloom: \(error)")
            return error.errno == .notPermitted || error.errno == .permissionDenied ? missingCapability : failure
        case let error as ExitCode:
            return error
        default:
            printError("netloom: \(error)")
            return failure
        }
    }
}
