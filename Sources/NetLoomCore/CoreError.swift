import Foundation

/// Errors of the lab lifecycle, each saying what to do next.
public enum CoreError: Error, CustomStringConvertible, Equatable {
    case io(String, errno: Int32)
    case unsafePath(String)
    case busy(lab: String)
    case notRunning(lab: String)
    case alreadyRunning(lab: String)
    case nameTaken(namespace: String)
    case unknownNode(lab: String, node: String, known: [String])
    case unknownLink(lab: String, link: String, known: [String])
    case needsPrivileges(String)
    case unsupported(String)
    case corruptState(String)

    public var description: String {
        switch self {
        case .io(let operation, let code):
            "\(operation): \(String(cString: strerror(code)))"
        case .unsafePath(let path):
            "\(path) exists and is not a plain directory; refusing to use it (remove it if it is not yours)"
        case .busy(let lab):
            "lab \(lab) is busy: another netloom command is working on it; wait for it or stop it"
        case .notRunning(let lab):
            "no lab named \(lab) is running (see `netloom status`)"
        case .alreadyRunning(let lab):
            "lab \(lab) is already up; run `netloom down \(lab)` first, or rename the lab"
        case .nameTaken(let namespace):
            "network namespace \(namespace) already exists and NetLoom did not create it; rename the lab or remove it yourself"
        case .unknownNode(let lab, let node, let known):
            "lab \(lab) has no node \(node); its nodes are \(known.prefix(20).joined(separator: ", "))\(known.count > 20 ? ", ..." : "")"
        case .unknownLink(let lab, let link, let known):
            "lab \(lab) has no link \(link); its links are \(known.prefix(20).joined(separator: ", "))\(known.count > 20 ? ", ..." : "")"
        case .needsPrivileges(let what):
            "\(what) needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN); run it with sudo"
        case .unsupported(let what):
            what
        case .corruptState(let what):
            "lab state is unreadable: \(what); `netloom down` still removes what the journal lists"
        }
    }
}
