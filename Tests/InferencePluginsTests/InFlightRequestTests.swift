@testable import InferencePlugins
import NIOCore
import NIOPosix
import Testing

/// A client connection's bookkeeping of the request it serves: what arrived is kept when
/// the connection fails, and a request completes once.
struct InFlightRequestTests {
    @Test func aFailureKeepsWhatArrivedAndCompletesTheRequestOnce() async throws {
        let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: RequestRecord.self)
        let request = ClientRequest(id: 7, promptTokens: 10, outputTokens: 4, prompt: "p", model: "m",
                                    origin: .now, issued: 0.5, promise: promise)
        var inFlight = InFlightRequest()
        inFlight.fail("nothing in flight")  // no request yet: nothing happens
        inFlight.start(request)
        var record = try #require(inFlight.current?.record)
        #expect(record == request.freshRecord && record.sent == 0.5)
        record.chunkTimes.append(0.7)
        record.chunkTokens.append(1)
        inFlight.update(record)
        inFlight.fail("the connection closed")
        inFlight.fail("again")
        #expect(inFlight.current == nil)
        let result = try await promise.futureResult.get()
        #expect(result.error == "the connection closed" && result.chunkTokens == [1] && result.id == 7)
        #expect(request.failedRecord("send: refused").error == "send: refused")
    }
}
