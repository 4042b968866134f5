import ArgumentParser

struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calibrate", abstract: "(in progress)")
    func run() async throws {}
}
