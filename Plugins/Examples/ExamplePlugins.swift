import NetLoomPluginAPI

/// The worked examples of docs/plugins.md, built and tested with the project.
public enum ExamplePlugins {
    public static let all: [any TrafficPlugin.Type] = [PingPongPlugin.self]
}
