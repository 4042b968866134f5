import Logging

/// Starts and talks to the link engine daemon of a lab.
public enum EngineDaemon {
    public static func start(plan: LabPlan, journal: Journal, logger: Logger) throws -> EngineProcess? {
        guard plan.links.contains(where: { $0.backend == .userspace }) else { return nil }
        throw CoreError.unsupported("userspace links are not wired up yet")
    }
}
