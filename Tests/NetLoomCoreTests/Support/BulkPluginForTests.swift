import BaselinePlugins
import NetLoomPluginAPI

/// The shipped bulk plugin, for runner tests that need real traffic.
enum BulkPluginForTests {
    static let type: any TrafficPlugin.Type = BulkPlugin.self
}
