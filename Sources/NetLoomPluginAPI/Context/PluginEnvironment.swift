/// What the runner gives a plugin's context: the operations that need the kernel layer
/// (a socket inside a node's namespace, a process started in one). Plugins never
/// implement it; tests of plugin logic may.
public protocol PluginEnvironment: Sendable {
    /// A new socket (`socket(domain, type, 0)`) inside `node`'s network namespace.
    func openSocket(domain: Int32, type: Int32, node: String) throws -> Int32

    /// Starts a program inside `node`'s namespace with its output going to files.
    func launch(_ request: LaunchRequest) throws -> any LaunchedProcess
}

public struct LaunchRequest: Sendable {
    public var node: String
    /// A path, or a name searched in PATH.
    public var executable: String
    public var arguments: [String]
    /// Added to (and overriding) the runner's environment.
    public var environment: [String: String]
    public var workingDirectory: String?
    public var stdoutPath: String
    public var stderrPath: String

    public init(node: String, executable: String, arguments: [String], environment: [String: String] = [:],
                workingDirectory: String? = nil, stdoutPath: String, stderrPath: String) {
        self.node = node
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }
}

public protocol LaunchedProcess: Sendable {
    var pid: Int32 { get }
    /// Waits for the program to exit; its exit status (128 + signal when killed).
    func wait() async -> Int32
    /// SIGTERM, then SIGKILL after a grace period.
    func terminate()
}
