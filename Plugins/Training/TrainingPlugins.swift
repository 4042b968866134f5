// Plugins/Training: the network side of distributed training. Collectives/ moves real bytes between
// ranks (schedules, the engine, checking), Metrics/ holds nccl-tests' figures and the alpha-beta
// model, Models/ the training-step models and presets, Program/ runs per-rank task graphs (training
// steps, traces), Traces/ reads ASTRA-sim and Chakra traces. One file per plugin. See docs/training.md.

import NetLoomPluginAPI

public enum TrainingPlugins {
    public static let all: [any TrafficPlugin.Type] = [CollectivePlugin.self, AllReducePlugin.self, TrainingPlugin.self, TracePlugin.self]
}
