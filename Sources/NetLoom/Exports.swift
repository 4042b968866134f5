// NetLoom: the library. `import NetLoom` gives a Swift program the lab model (lab files, units), the plugin
// API, the core (lifecycle, runner, results, status) and suites, plus the scripting API in this folder:
// `withLab { lab in ... }` brings a lab up, hands it to the program, and always takes it down.

@_exported import NetLoomCore
@_exported import NetLoomModel
@_exported import NetLoomPluginAPI
@_exported import NetLoomSuites
