import STOMP
import Testing

@testable import ChorusBroker

@Suite("Broker configuration and CONNECT negotiation")
struct ConfigurationTests {
    @Test("defaults: 127.0.0.1:61613, any login")
    func defaults() {
        let configuration = BrokerConfiguration()
        #expect(configuration.listen == [ListenAddress(host: "127.0.0.1", port: 61613)])
        #expect(configuration.authenticates(login: "anyone", passcode: nil))
    }

    @Test("key = value file with repeated listen, users and limits")
    func parsing() throws {
        let configuration = try BrokerConfiguration(parsing: """
            # broker
            listen = 127.0.0.1:0
            listen = [::1]:61614
            user.mcollective = marionette
            heartbeat.send_ms = 100
            heartbeat.receive_ms = 0
            limits.max_frame_bytes = 4096
            limits.queue_depth = 10
            loglevel = debug
            """)
        #expect(configuration.listen == [ListenAddress(host: "127.0.0.1", port: 0), ListenAddress(host: "::1", port: 61614)])
        #expect(configuration.listen[1].description == "[::1]:61614")
        #expect(configuration.authenticates(login: "mcollective", passcode: "marionette"))
        #expect(!configuration.authenticates(login: "mcollective", passcode: "wrong"))
        #expect(!configuration.authenticates(login: nil, passcode: nil))
        #expect(configuration.heartbeatSendMilliseconds == 100)
        #expect(configuration.heartbeatReceiveMilliseconds == 0)
        #expect(configuration.limits.maxFrameBytes == 4096)
        #expect(configuration.queueDepth == 10)
        #expect(configuration.logLevel == "debug")
    }

    @Test("exchanges: MCollective's by default; declared ones replace them; bad types and names refused")
    func exchanges() throws {
        let defaults = BrokerConfiguration()
        #expect(defaults.exchanges == ["mcollective_broadcast": .topic, "mcollective_directed": .direct, "mcollective_reply": .direct])
        let configured = try BrokerConfiguration(parsing: """
            exchange.dev_broadcast = topic
            exchange.dev_directed = Direct
            exchange.audit = fanout
            """)
        #expect(configured.exchanges == ["dev_broadcast": .topic, "dev_directed": .direct, "audit": .fanout])
        #expect(throws: BrokerConfigurationError(line: 1, message: "exchange.x must be topic, direct or fanout, not 'headers'")) {
            try BrokerConfiguration(parsing: "exchange.x = headers")
        }
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration(parsing: "exchange. = topic") }
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration(parsing: "exchange.a/b = topic") }
    }

    @Test("bad lines name their line number")
    func errors() {
        #expect(throws: BrokerConfigurationError(line: 2, message: "unknown setting 'listn'")) {
            try BrokerConfiguration(parsing: "\nlistn = 1.2.3.4:5")
        }
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration(parsing: "listen = nohost") }
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration(parsing: "listen = a:70000") }
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration(parsing: "limits.queue_depth = -1") }
        #expect(throws: BrokerConfigurationError.self) { try BrokerConfiguration(parsing: "just words") }
    }

    @Test("version and heart-beat negotiation as ActiveMQ answers MCollective")
    func negotiation() throws {
        let configuration = BrokerConfiguration()
        let stomp10 = try ConnectNegotiation.negotiate(STOMPHeaders([("accept-version", "1.0")]), configuration: configuration).get()
        #expect(stomp10 == ConnectNegotiation(version: .v1_0, sendInterval: 0, receiveInterval: 0))
        let none = try ConnectNegotiation.negotiate(STOMPHeaders(), configuration: configuration).get()
        #expect(none.version == .v1_0)
        let mco = try ConnectNegotiation.negotiate(
            STOMPHeaders([("accept-version", "1.1,1.0"), ("heart-beat", "30500,29500")]), configuration: configuration
        ).get()
        #expect(mco.version == .v1_1)
        #expect(mco.heartBeatHeader == "29500,30500")
        let v12 = try ConnectNegotiation.negotiate(STOMPHeaders([("accept-version", "1.2,1.1"), ("heart-beat", "0,10")]), configuration: configuration).get()
        #expect(v12 == ConnectNegotiation(version: .v1_2, sendInterval: 5000, receiveInterval: 0))
        #expect(throws: ConnectNegotiation.Refusal.unsupportedVersion("2.0")) {
            try ConnectNegotiation.negotiate(STOMPHeaders([("accept-version", "2.0")]), configuration: configuration).get()
        }
        #expect(throws: ConnectNegotiation.Refusal.malformedHeartBeat("x")) {
            try ConnectNegotiation.negotiate(STOMPHeaders([("accept-version", "1.1"), ("heart-beat", "x")]), configuration: configuration).get()
        }
    }
}
