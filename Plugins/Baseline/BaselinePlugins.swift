import NetLoomPluginAPI

/// The baseline traffic generators that ship with netloom.
public enum BaselinePlugins {
    public static let all: [any TrafficPlugin.Type] = [
        BulkPlugin.self, RequestResponsePlugin.self, IncastPlugin.self, FlowMixPlugin.self, ExecPlugin.self,
    ]
}
