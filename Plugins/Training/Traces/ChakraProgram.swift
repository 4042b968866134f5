// Plugins/Training / Traces: Chakra traces to and from programs. Nodes become tasks in dependency
// order (ids break ties), compute nodes delays, communication nodes collectives and messages.

extension ChakraTrace {
    /// The program of the traces of ranks 0..<traces.count. `computeScale` multiplies durations and
    /// `byteScale` sizes.
    public static func program(_ traces: [ChakraTrace], byteScale: Double = 1, computeScale: Double = 1) throws(ProtobufError) -> Program {
        let ranks = traces.count
        var program = Program(ranks: ranks)
        for (rank, trace) in traces.enumerated() {
            var groups: [String: [Int]] = [:]
            for (name, value) in trace.metadata where name.hasPrefix("pg:") {
                if case .string(let text) = value {
                    groups[String(name.dropFirst(3))] = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
                }
            }
            // Kahn's order, lowest id first among the ready ones.
            let byID = Dictionary(trace.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var waiting: [UInt64: Int] = [:]
            var children: [UInt64: [UInt64]] = [:]
            for node in trace.nodes {
                let parents = Set(node.controlDependencies + node.dataDependencies).filter { byID[$0] != nil && $0 != node.id }
                waiting[node.id] = parents.count
                for parent in parents { children[parent, default: []].append(node.id) }
            }
            var ready = trace.nodes.filter { waiting[$0.id] == 0 }.map(\.id).sorted(by: >)
            var index: [UInt64: Int] = [:]
            while let id = ready.popLast() {
                let node = byID[id]!
                let after = Set(node.controlDependencies + node.dataDependencies).compactMap { index[$0] }.sorted()
                let scaled = { (bytes: Int64) in max(4, Int((Double(bytes) * byteScale).rounded())) }
                let label = node.name.isEmpty ? "node \(node.id)" : node.name
                switch node.type {
                case .collective:
                    guard let raw = node.attribute("comm_type")?.integer, let kind = ChakraCollective(rawValue: Int(raw)) else {
                        throw ProtobufError(description: "rank \(rank) node \(node.id): a collective without a known comm_type")
                    }
                    guard let operation = kind.operation else {
                        throw ProtobufError(description: "rank \(rank) node \(node.id): \(kind) is not supported (gather, scatter)")
                    }
                    let bytes = kind == .barrier ? 4 : scaled(node.attribute("comm_size")?.integer ?? 0)
                    var members = Array(0..<ranks)
                    if case .string(let name)? = node.attribute("pg_name"), let listed = groups[name] { members = listed }
                    guard members.contains(rank), members.allSatisfy({ $0 < ranks }) else {
                        throw ProtobufError(description: "rank \(rank) node \(node.id): group \(members) does not fit \(ranks) ranks")
                    }
                    index[id] = program.add(rank, .collective(group: program.group(members), operation: operation, bytes: bytes),
                                            after: after, label: "\(operation.rawValue)")
                case .send:
                    guard let peer = node.attribute("comm_dst")?.integer else { throw ProtobufError(description: "rank \(rank) node \(node.id): a send without comm_dst") }
                    index[id] = program.add(rank, .send(to: Int(peer), bytes: scaled(node.attribute("comm_size")?.integer ?? 0)), after: after, label: "send")
                case .receive:
                    guard let peer = node.attribute("comm_src")?.integer else { throw ProtobufError(description: "rank \(rank) node \(node.id): a receive without comm_src") }
                    index[id] = program.add(rank, .receive(from: Int(peer), bytes: scaled(node.attribute("comm_size")?.integer ?? 0)), after: after, label: "recv")
                default:
                    index[id] = program.add(rank, .compute(seconds: Double(node.durationMicros) / 1e6 * computeScale), after: after, label: label)
                }
                for child in children[id] ?? [] {
                    waiting[child]! -= 1
                    if waiting[child] == 0 {
                        ready.append(child)
                        ready.sort(by: >)
                    }
                }
            }
            if index.count != trace.nodes.count {
                throw ProtobufError(description: "rank \(rank): the dependencies of \(trace.nodes.count - index.count) nodes form a cycle")
            }
        }
        return program
    }

    /// Each rank's trace of a program: tasks become nodes with their dependencies as data_deps.
    public static func traces(of program: Program, name: String) -> [ChakraTrace] {
        let groups: [(name: String, value: ChakraValue)] = program.groups.enumerated().map { ("pg:\($0.offset)", .string($0.element.map(String.init).joined(separator: ","))) }
        return (0..<program.ranks).map { rank in
            var trace = ChakraTrace(metadata: [("netloom_model", .string(name))] + groups)
            var tags: [String: Int64] = [:]
            for (index, task) in program.tasks[rank].enumerated() {
                var node = ChakraNode(id: UInt64(index), name: task.label, type: .compute, dataDependencies: task.dependencies.map(UInt64.init))
                switch task.kind {
                case .compute(let seconds):
                    node.durationMicros = UInt64((seconds * 1e6).rounded())
                    node.attributes = [("is_cpu_op", .bool(false))]
                case .collective(let group, let operation, let bytes):
                    node.type = .collective
                    node.attributes = [("is_cpu_op", .bool(false)), ("comm_type", .int(Int64(ChakraCollective(operation)!.rawValue))),
                                       ("comm_size", .int(Int64(bytes))), ("pg_name", .string(String(group)))]
                case .send(let peer, let bytes):
                    let key = "\(rank)>\(peer)"
                    node.type = .send
                    node.attributes = [("is_cpu_op", .bool(false)), ("comm_dst", .int(Int64(peer))), ("comm_size", .int(Int64(bytes))),
                                       ("comm_tag", .int(tags[key, default: 0]))]
                    tags[key, default: 0] += 1
                case .receive(let peer, let bytes):
                    let key = "\(peer)>\(rank)"
                    node.type = .receive
                    node.attributes = [("is_cpu_op", .bool(false)), ("comm_src", .int(Int64(peer))), ("comm_size", .int(Int64(bytes))),
                                       ("comm_tag", .int(tags[key, default: 0]))]
                    tags[key, default: 0] += 1
                }
                trace.nodes.append(node)
            }
            return trace
        }
    }
}
