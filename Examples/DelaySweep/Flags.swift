// The example's command line, kept out of main.swift so that file reads as the experiment.

import Foundation
import Logging
import NetLoom

struct Flags: Sendable {
    var lab = "Labs/quickstart.yaml"
    var name: String?
    var link = "wan"
    var from = "h1"
    var to = "far"
    var delays: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(20)]
    var time: Duration = .seconds(2)
    var repetitions = 1
    var results = "results"
    var json = false
    var verbose = false

    static let usage = """
        usage: netloom-example-delay-sweep [--lab FILE] [--name LAB] [--link LINK] [--from NODE] [--to NODE]
                                           [--delays 1ms,5ms,...] [--time 2s] [--repetitions N] [--results DIR]
                                           [--json] [--verbose]
        Sweeps LINK's one-way delay over a lab (default Labs/quickstart.yaml, link wan, h1 to far), measuring
        rr latency and bulk throughput at each delay. Needs root.
        """

    var options: ScriptOptions {
        var options = ScriptOptions()
        options.resultsRoot = results
        // Sample more often than once a second when runs are short.
        options.sampleInterval = min(.seconds(1), time / 4)
        options.grace = .seconds(5)
        if verbose { options.logger.logLevel = .info }
        return options
    }

    static func parse(_ arguments: [String]) throws -> Flags {
        var flags = Flags()
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw FlagError("\(flag) needs a value") }
            return next
        }
        func duration(_ text: String, _ flag: String) throws -> Duration {
            do { return try DurationSyntax.parse(text) } catch { throw FlagError("\(flag): \(error)") }
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--lab": flags.lab = try value(flag)
            case "--name": flags.name = try value(flag)
            case "--link": flags.link = try value(flag)
            case "--from": flags.from = try value(flag)
            case "--to": flags.to = try value(flag)
            case "--delays": flags.delays = try value(flag).split(separator: ",").map { try duration(String($0), flag) }
            case "--time": flags.time = try duration(try value(flag), flag)
            case "--repetitions":
                guard let count = Int(try value(flag)), count > 0 else { throw FlagError("--repetitions needs a positive number") }
                flags.repetitions = count
            case "--results": flags.results = try value(flag)
            case "--json": flags.json = true
            case "--verbose", "-v": flags.verbose = true
            case "--help", "-h":
                print(usage)
                exit(0)
            default: throw FlagError("unknown argument \(flag)")
            }
        }
        if flags.delays.isEmpty { throw FlagError("--delays needs at least one delay") }
        return flags
    }
}

struct FlagError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
