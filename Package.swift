// swift-tools-version: 6.1
// NetLoom: network emulation for AI cluster networking on Linux.
//
// Module layering (imports point downwards only; see docs/architecture.md):
//   netloom (CLI), netloom-bench, NetLoom (the library: re-exports and the scripting API `withLab`)
//     -> NetLoomCore (orchestrator, journal, runner)
//        -> NetLoomLinkEngine (userspace shaping) -> NetLoomKernel (netlink, namespaces)
//        -> NetLoomModel (lab files, units, validation; no syscalls)
//   NetLoomKernel -> CNetlink (libnl-3/libnl-route-3), CMnl (libmnl), CNetLoomShims (C glue)
import PackageDescription

let package = Package(
    name: "NetLoom",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "netloom", targets: ["netloom"]),
        .executable(name: "netloom-bench", targets: ["netloom-bench"]),
        .library(name: "NetLoom", targets: ["NetLoom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // MARK: C layer
        .systemLibrary(
            name: "CNetlink",
            pkgConfig: "libnl-route-3.0",
            providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]
        ),
        .systemLibrary(
            name: "CMnl",
            pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]
        ),
        .target(name: "CNetLoomShims"),

        // MARK: Kernel layer: the only code that speaks netlink or calls setns.
        .target(
            name: "NetLoomKernel",
            dependencies: [
                "CNetlink", "CMnl", "CNetLoomShims",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Userspace link engine: AF_PACKET forwarding with delay, loss and rate.
        .target(
            name: "NetLoomLinkEngine",
            dependencies: [
                "NetLoomKernel", "CNetLoomShims",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Lab model: values, units, parsing and validation. No syscalls.
        .target(
            name: "NetLoomModel",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),

        // MARK: Plugin API: what traffic generators are written against.
        .target(
            name: "NetLoomPluginAPI",
            dependencies: [
                "NetLoomModel", "CNetLoomShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // MARK: Core: lab lifecycle (journal, build, teardown), the runner and results.
        .target(
            name: "NetLoomCore",
            dependencies: [
                "NetLoomModel", "NetLoomKernel", "NetLoomLinkEngine", "NetLoomPluginAPI",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Suites: sweeps over a lab (suite files, matrix, paths, the suite runner, aggregation).
        .target(
            name: "NetLoomSuites",
            dependencies: [
                "NetLoomCore", "NetLoomModel", "NetLoomPluginAPI",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Reports: summary tables and report.html from a results folder (and a suite's folder).
        .target(name: "NetLoomReports", dependencies: ["NetLoomCore", "NetLoomSuites"]),

        // MARK: Traffic plugins (Plugins/ holds them; SwiftPM's own meaning of Plugins/ is package plugins).
        .target(name: "BaselinePlugins", dependencies: ["NetLoomPluginAPI"], path: "Plugins/Baseline"),
        // The worked example of docs/plugins.md.
        .target(name: "ExamplePlugins", dependencies: ["NetLoomPluginAPI"], path: "Plugins/Examples"),
        .target(name: "TrainingPlugins", dependencies: ["NetLoomPluginAPI", "NetLoomModel"], path: "Plugins/Training"),
        // LLM serving: an engine's timing, HTTP/SSE streaming (SwiftNIO), arrivals, KV-cache transfer, tensor parallel.
        .target(
            name: "InferencePlugins",
            dependencies: [
                "NetLoomPluginAPI", "TrainingPlugins",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Plugins/Inference"
        ),

        // MARK: The library: `import NetLoom` re-exports the model, plugin API, core and suites, and adds the
        // scripting API (`withLab`); the built-in plugins are its default registry.
        .target(
            name: "NetLoom",
            dependencies: [
                "NetLoomCore", "NetLoomModel", "NetLoomPluginAPI", "NetLoomSuites", "NetLoomKernel",
                "BaselinePlugins", "ExamplePlugins", "TrainingPlugins", "InferencePlugins",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // MARK: Executables
        .executableTarget(
            name: "netloom",
            dependencies: [
                "NetLoomCore", "NetLoomReports", "NetLoomSuites", "BaselinePlugins", "ExamplePlugins", "TrainingPlugins", "InferencePlugins",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "netloom-bench",
            dependencies: [
                "NetLoomCore", "NetLoomSuites", "BaselinePlugins", "TrainingPlugins", "InferencePlugins",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Examples: small Swift programs written against `import NetLoom` (built and run by NetLoomScriptingTests).
        .executableTarget(
            name: "netloom-example-delay-sweep",
            dependencies: ["NetLoom", .product(name: "Logging", package: "swift-log")],
            path: "Examples/DelaySweep"
        ),

        // MARK: Tests
        .testTarget(name: "NetLoomModelTests", dependencies: ["NetLoomModel"], exclude: ["Fixtures"]),
        .testTarget(name: "NetLoomKernelTests", dependencies: ["NetLoomKernel"]),
        .testTarget(
            name: "NetLoomLinkEngineTests",
            dependencies: [
                "NetLoomLinkEngine", "NetLoomKernel", "CNetLoomShims",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "NetLoomCoreTests", dependencies: ["NetLoomCore", "BaselinePlugins"]),
        .testTarget(name: "NetLoomPluginAPITests", dependencies: ["NetLoomPluginAPI"]),
        .testTarget(name: "BaselinePluginsTests", dependencies: ["BaselinePlugins", "ExamplePlugins", "NetLoomCore"]),
        .testTarget(name: "InferencePluginsTests", dependencies: ["InferencePlugins", "NetLoomCore"]),
        .testTarget(name: "NetLoomReportsTests", dependencies: ["NetLoomReports"], exclude: ["Fixtures"]),
        .testTarget(
            name: "NetLoomSuitesTests",
            dependencies: ["NetLoomSuites", "NetLoomReports", "BaselinePlugins", "TrainingPlugins", "InferencePlugins"]),
        .testTarget(name: "TrainingPluginsTests", dependencies: ["TrainingPlugins", "NetLoomCore"]),
        // Runs the example executables, which `swift build --build-tests` builds with everything else.
        .testTarget(name: "NetLoomScriptingTests", dependencies: ["NetLoom", "NetLoomKernel"]),
    ]
)
