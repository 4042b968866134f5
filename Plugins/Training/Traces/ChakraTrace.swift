// Plugins/Training / Traces: Chakra execution traces (mlcommons/chakra, schema/protobuf/et_def.proto).
// One file per rank (`PREFIX.RANK.et`): a GlobalMetadata message, then Node messages, each preceded
// by its length as a varint. Nodes that matter here: COMP_NODE (its duration_micros is a delay),
// COMM_COLL_NODE (attributes comm_type and comm_size), COMM_SEND_NODE and COMM_RECV_NODE (comm_dst,
// comm_src, comm_size, comm_tag); ctrl_deps and data_deps order them. A collective's group is all
// ranks unless its `pg_name` names a group listed in the metadata as a string attribute
// `pg:NAME` = "0,1,2,3" (NetLoom's convention; files from elsewhere without it use all ranks).

import Foundation

/// An attribute value (AttributeProto's oneof; lists as lists).
public enum ChakraValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case ints([Int64])
    case bools([Bool])
    case strings([String])

    public var integer: Int64? {
        switch self {
        case .int(let v): v
        case .double(let v): Int64(exactly: v.rounded(.towardZero))
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }
}

public struct ChakraNode: Sendable, Equatable {
    public enum NodeType: Int, Sendable {
        case invalid = 0, metadata, memoryLoad, memoryStore, compute, send, receive, collective, storage, batch, checkpoint
    }

    public var id: UInt64
    public var name: String
    public var type: NodeType
    public var controlDependencies: [UInt64]
    public var dataDependencies: [UInt64]
    public var durationMicros: UInt64
    public var attributes: [(name: String, value: ChakraValue)]

    public init(id: UInt64, name: String, type: NodeType, controlDependencies: [UInt64] = [], dataDependencies: [UInt64] = [],
                durationMicros: UInt64 = 0, attributes: [(name: String, value: ChakraValue)] = []) {
        self.id = id
        self.name = name
        self.type = type
        self.controlDependencies = controlDependencies
        self.dataDependencies = dataDependencies
        self.durationMicros = durationMicros
        self.attributes = attributes
    }

    public func attribute(_ name: String) -> ChakraValue? { attributes.first { $0.name == name }?.value }

    public static func == (a: ChakraNode, b: ChakraNode) -> Bool {
        a.id == b.id && a.name == b.name && a.type == b.type && a.controlDependencies == b.controlDependencies
            && a.dataDependencies == b.dataDependencies && a.durationMicros == b.durationMicros
            && a.attributes.map(\.name) == b.attributes.map(\.name) && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

/// Chakra's CollectiveCommType.
public enum ChakraCollective: Int, Sendable {
    case allReduce = 0, reduce, allGather, gather, scatter, broadcast, allToAll, reduceScatter, reduceScatterBlock, barrier

    var operation: CollectiveOperation? {
        switch self {
        case .allReduce, .barrier: .allReduce
        case .reduce: .reduce
        case .allGather: .allGather
        case .broadcast: .broadcast
        case .allToAll: .allToAll
        case .reduceScatter, .reduceScatterBlock: .reduceScatter
        case .gather, .scatter: nil
        }
    }

    init?(_ operation: CollectiveOperation) {
        switch operation {
        case .allReduce: self = .allReduce
        case .reduce: self = .reduce
        case .allGather: self = .allGather
        case .broadcast: self = .broadcast
        case .allToAll, .allToAllv: self = .allToAll
        case .reduceScatter: self = .reduceScatter
        case .sendRecv: return nil
        }
    }
}

/// One rank's trace.
public struct ChakraTrace: Sendable, Equatable {
    public var version: String
    public var metadata: [(name: String, value: ChakraValue)]
    public var nodes: [ChakraNode]

    public init(version: String = "0.0.4", metadata: [(name: String, value: ChakraValue)] = [], nodes: [ChakraNode] = []) {
        self.version = version
        self.metadata = metadata
        self.nodes = nodes
    }

    public static func == (a: ChakraTrace, b: ChakraTrace) -> Bool {
        a.version == b.version && a.nodes == b.nodes && a.metadata.map(\.name) == b.metadata.map(\.name)
            && a.metadata.map(\.value) == b.metadata.map(\.value)
    }

    // MARK: decoding

    public static func decode(_ bytes: [UInt8]) throws(ProtobufError) -> ChakraTrace {
        var reader = ProtobufReader(bytes)
        var trace = ChakraTrace(version: "")
        var first = true
        while !reader.atEnd {
            var message = try reader.message()
            if first {
                first = false
                while !message.atEnd {
                    let (field, wire) = try message.tag()
                    switch (field, wire) {
                    case (1, 2): trace.version = try message.string()
                    case (2, 2):
                        var inner = try message.message()
                        trace.metadata.append(try attribute(&inner))
                    default: try message.skip(wire: wire)
                    }
                }
                continue
            }
            trace.nodes.append(try node(&message))
        }
        return trace
    }

    static func node(_ message: inout ProtobufReader) throws(ProtobufError) -> ChakraNode {
        var node = ChakraNode(id: 0, name: "", type: .invalid)
        while !message.atEnd {
            let (field, wire) = try message.tag()
            switch (field, wire) {
            case (1, 0): node.id = try message.varint()
            case (2, 2): node.name = try message.string()
            case (3, 0): node.type = ChakraNode.NodeType(rawValue: Int(try message.varint())) ?? .invalid
            case (4, _): node.controlDependencies += try message.varints(wire: wire)
            case (5, _): node.dataDependencies += try message.varints(wire: wire)
            case (7, 0): node.durationMicros = try message.varint()
            case (10, 2):
                var inner = try message.message()
                node.attributes.append(try attribute(&inner))
            default: try message.skip(wire: wire)
            }
        }
        return node
    }

    static func attribute(_ message: inout ProtobufReader) throws(ProtobufError) -> (name: String, value: ChakraValue) {
        var name = "", value = ChakraValue.int(0)
        while !message.atEnd {
            let (field, wire) = try message.tag()
            switch (field, wire) {
            case (1, 2): name = try message.string()
            case (3, 1): value = .double(Double(bitPattern: try message.fixed(8)))
            case (5, 5): value = .double(Double(Float(bitPattern: UInt32(try message.fixed(4)))))
            case (7, 0), (9, 0): value = .int(Int64(bitPattern: try message.varint()))
            case (11, 0), (13, 0): value = .int(Int64(try message.varint()))
            case (15, 0), (17, 0): value = .int(zigzagDecode(try message.varint()))
            case (19, 5), (23, 5): value = .int(Int64(Int32(bitPattern: UInt32(try message.fixed(4)))))
            case (21, 1), (25, 1): value = .int(Int64(bitPattern: try message.fixed(8)))
            case (27, 0): value = .bool(try message.varint() != 0)
            case (29, 2): value = .string(try message.string())
            case (8, 2), (10, 2), (12, 2), (14, 2):
                value = .ints(try listValues(&message).map { Int64(bitPattern: $0) })
            case (28, 2): value = .bools(try listValues(&message).map { $0 != 0 })
            case (30, 2):
                var list = try message.message()
                var strings: [String] = []
                while !list.atEnd {
                    let (f, w) = try list.tag()
                    if f == 1 && w == 2 { strings.append(try list.string()) } else { try list.skip(wire: w) }
                }
                value = .strings(strings)
            default: try message.skip(wire: wire)
            }
        }
        return (name, value)
    }

    /// The `values` (field 1) of an Int64List-like message.
    static func listValues(_ message: inout ProtobufReader) throws(ProtobufError) -> [UInt64] {
        var list = try message.message()
        var values: [UInt64] = []
        while !list.atEnd {
            let (field, wire) = try list.tag()
            if field == 1 { values += try list.varints(wire: wire) } else { try list.skip(wire: wire) }
        }
        return values
    }

    // MARK: encoding

    public func encode() -> [UInt8] {
        var file = ProtobufWriter()
        var meta = ProtobufWriter()
        meta.stringField(1, version)
        for attribute in metadata { meta.bytesField(2, Self.encode(attribute)) }
        file.delimitedMessage(meta.bytes)
        for node in nodes {
            var w = ProtobufWriter()
            w.varintField(1, node.id)
            if !node.name.isEmpty { w.stringField(2, node.name) }
            w.varintField(3, UInt64(node.type.rawValue))
            w.packedField(4, node.controlDependencies)
            w.packedField(5, node.dataDependencies)
            if node.durationMicros > 0 { w.varintField(7, node.durationMicros) }
            for attribute in node.attributes { w.bytesField(10, Self.encode(attribute)) }
            file.delimitedMessage(w.bytes)
        }
        return file.bytes
    }

    static func encode(_ attribute: (name: String, value: ChakraValue)) -> [UInt8] {
        var w = ProtobufWriter()
        w.stringField(1, attribute.name)
        switch attribute.value {
        case .int(let v): w.varintField(9, UInt64(bitPattern: v))
        case .double(let v):
            w.tag(3, wire: 1)
            w.fixed64(v.bitPattern)
        case .bool(let v): w.varintField(27, v ? 1 : 0)
        case .string(let v): w.stringField(29, v)
        case .ints(let values):
            var list = ProtobufWriter()
            list.packedField(1, values.map { UInt64(bitPattern: $0) })
            w.bytesField(10, list.bytes)
        case .bools(let values):
            var list = ProtobufWriter()
            list.packedField(1, values.map { $0 ? 1 : 0 })
            w.bytesField(28, list.bytes)
        case .strings(let values):
            var list = ProtobufWriter()
            for value in values { list.stringField(1, value) }
            w.bytesField(30, list.bytes)
        }
        return w.bytes
    }
}
