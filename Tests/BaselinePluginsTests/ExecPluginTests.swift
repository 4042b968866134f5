import Foundation
import NetLoomCore
import Testing

extension PluginLabTests {
    /// Rank 0 listens on MASTER_ADDR:MASTER_PORT, every other rank connects and says
    /// who it is; each prints what it saw.
    static let socketScript = """
        import os, socket, sys
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        port = int(os.environ["MASTER_PORT"])
        print("env", rank, world, os.environ["LOCAL_RANK"], os.environ["MASTER_ADDR"], os.environ["NETLOOM_NODE"],
              os.environ["NETLOOM_PEERS"], os.environ["NETLOOM_ADDRESSES"], os.environ["GLOO_SOCKET_IFNAME"], sys.argv[1:])
        print("extra", os.environ["EXTRA"], "cwd", os.getcwd())
        if rank == 0:
            server = socket.create_server(("0.0.0.0", port))
            for _ in range(world - 1):
                connection, _ = server.accept()
                print("got", connection.recv(100).decode())
                connection.close()
        else:
            for _ in range(100):
                try:
                    client = socket.create_connection((os.environ["MASTER_ADDR"], port))
                    break
                except ConnectionRefusedError:
                    import time; time.sleep(0.05)
            client.sendall(f"hello from rank {rank} ({os.environ['NETLOOM_NODE']})".encode())
            client.close()
        """

    @Test func execRunsAProgramPairWithRankEnvironment() async throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-exec-\(UUID().uuidString).py").path
        try Self.socketScript.write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { sw: { kind: switch }, "h[0-2]": {} }
            links:
              - endpoints: ["h[0-2]", sw]
                delay: 1ms
            workloads:
              - plugin: exec
                nodes: "h[0-2]"
                params:
                  command: [python3, \(script), "--rank={rank}", "{world_size}", "{master_addr}:{master_port}"]
                  master_port: 29500
                  env: ["EXTRA={node}-{rank}"]
                  directory: /tmp
            """)
        #expect(run.summary.status == .succeeded, "\(run.diagnosis)")
        let folder = "workloads/0-exec"
        let h0 = try #require(run.file("\(folder)/h0.stdout"))
        let peers = "h0=10.0.0.1,h1=10.0.0.2,h2=10.0.0.3"
        #expect(h0.contains("env 0 3 0 10.0.0.1 h0 \(peers) 10.0.0.1,10.0.0.2,10.0.0.3 eth0 ['--rank=0', '3', '10.0.0.1:29500']"), "\(h0)")
        #expect(h0.contains("got hello from rank 1 (h1)"))
        #expect(h0.contains("got hello from rank 2 (h2)"))
        let h2 = try #require(run.file("\(folder)/h2.stdout"))
        #expect(h2.contains("env 2 3 0 10.0.0.1 h2"), "\(h2)")
        #expect(h2.contains("extra h2-2 cwd /tmp"), "\(h2)")
        #expect(run.file("\(folder)/h1.stderr") == "")
        #expect(run.rows("\(folder)/tables/ranks.csv").map { $0[3] } == ["0", "0", "0"], "every exit code recorded")
        #expect(run.result("ranks failed") == 0)
        #expect(run.result("exit code h1") == 0)
    }

    @Test func execFailsWhenAProgramFailsAndStopsTheOthers() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
            workloads:
              - plugin: exec
                nodes: [a, b]
                params:
                  command: [sh, -c, 'if [ "$RANK" = 1 ]; then echo "bad input on $NETLOOM_NODE" >&2; exit 3; fi; exec sleep 30']
            """)
        #expect(run.summary.status == .workloadFailed, "\(run.diagnosis)")
        let workload = run.workload()
        #expect(workload.status == "failed")
        let error = try #require(workload.error)
        #expect(error.contains("rank 1 (b) exited with 3: bad input on b"), "\(error)")
        #expect(error.contains("rank 0 (a) was stopped (rank 1 (b) failed)"), "\(error)")
        #expect(run.result("exit code b") == 3)
        #expect(run.result("exit code a") == 143, "128 + SIGTERM")
        #expect(workload.finished - workload.started < 10, "the sleeping rank was stopped, not waited for")
    }

    @Test func execStopsProgramsAtTheWorkloadsDuration() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
            workloads:
              - plugin: exec
                nodes: [a, b]
                duration: 1s
                params: { command: [sleep, "30"] }
            """)
        let workload = run.workload()
        #expect(workload.status == "failed", "\(run.diagnosis)")
        #expect(workload.error?.contains("still running at the workload's duration") == true, "\(run.diagnosis)")
        #expect(workload.finished - workload.started < 5)
    }

    @Test func execStopsProgramsWhenTheRunIsInterrupted() async throws {
        let run = try await PluginLabs.run("""
            name: NAME
            nodes: { a: {}, b: {} }
            links:
              - endpoints: [a, b]
            workloads:
              - plugin: exec
                nodes: [a, b]
                params: { command: [sleep, "30"] }
            """, cancelAfter: .seconds(1))
        #expect(run.summary.status == .interrupted, "\(run.diagnosis)")
        let workload = run.workload()
        #expect(workload.status == "cancelled", "\(run.diagnosis)")
        #expect(workload.finished - workload.started < 5, "stopped, not waited for")
        let ranks = run.rows("workloads/0-exec/tables/ranks.csv")
        #expect(ranks.map { $0[5] } == ["the run was cancelled", "the run was cancelled"], "\(ranks)")
    }
}
