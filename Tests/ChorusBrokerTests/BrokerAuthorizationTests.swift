import Testing

@testable import ChorusBroker

/// Access control without sockets: destination patterns, `acl.`/`group.` lines, first-match
/// evaluation, what counts as creating, and the per-connection cache.
@Suite("Broker authorization: patterns, rules and decisions")
struct BrokerAuthorizationTests {
    static func destination(_ path: String) throws -> Destination {
        try #require(Destination(path))
    }

    static func matches(_ pattern: String, _ path: String) throws -> Bool {
        try DestinationPattern(parsing: pattern).matches(destination(path))
    }

    @Test("* is one segment, > the rest (zero or more), literals match whole segments")
    func wildcards() throws {
        #expect(try Self.matches("/topic/mcollective.*.agent", "/topic/mcollective.rpcutil.agent"))
        #expect(try !Self.matches("/topic/mcollective.*.agent", "/topic/mcollective.agent"))
        #expect(try !Self.matches("/topic/mcollective.*.agent", "/topic/mcollective.a.b.agent"))
        #expect(try !Self.matches("/topic/mcollective.*.agent", "/topic/dev.rpcutil.agent"))
        #expect(try Self.matches("/queue/mcollective.reply.>", "/queue/mcollective.reply.client_123.7"))
        #expect(try Self.matches("/queue/mcollective.reply.>", "/queue/mcollective.reply"))
        #expect(try !Self.matches("/queue/mcollective.reply.>", "/queue/mcollective.replyx.a"))
        #expect(try !Self.matches("/queue/mcollective.reply.>", "/queue/mcollective.nodes"))
        #expect(try Self.matches("/queue/mcollective.nodes", "/queue/mcollective.nodes"))
        #expect(try !Self.matches("/queue/mcollective.nodes", "/queue/mcollective.nodesx"))
        #expect(try !Self.matches("/queue/mcollective.nodes", "/queue/mcollective.nodes.x"))
        #expect(try Self.matches("/topic/>", "/topic/anything.at.all"))
        #expect(try Self.matches("/topic/*.*.agent", "/topic/dev.package.agent"))
    }

    @Test("the kind must agree; /amq/queue/ is /queue/; > alone matches every kind")
    func kinds() throws {
        #expect(try !Self.matches("/topic/>", "/queue/a"))
        #expect(try !Self.matches("/queue/>", "/topic/a"))
        #expect(try Self.matches("/queue/mcollective.nodes", "/amq/queue/mcollective.nodes"))
        #expect(try Self.matches("/amq/queue/mcollective.nodes", "/queue/mcollective.nodes"))
        #expect(try !Self.matches("/temp-queue/>", "/reply-queue/amq.gen-x"))
        #expect(try Self.matches("/reply-queue/>", "/reply-queue/amq.gen-x"))
        #expect(try Self.matches("/temp-queue/*", "/temp-queue/mcollective_reply_rpcutil"))
        for path in ["/topic/a", "/queue/b.c", "/exchange/x/y", "/temp-queue/t", "/reply-queue/r"] {
            #expect(try Self.matches(">", path))
        }
    }

    @Test("exchange patterns: the name, then / and the key; identities with dots need >")
    func exchanges() throws {
        #expect(try Self.matches("/exchange/mcollective_broadcast/>", "/exchange/mcollective_broadcast/rpcutil"))
        #expect(try Self.matches("/exchange/mcollective_broadcast/>", "/exchange/mcollective_broadcast"))
        #expect(try !Self.matches("/exchange/mcollective_broadcast/>", "/exchange/mcollective_directed/rpcutil"))
        #expect(try Self.matches("/exchange/mcollective_directed/>", "/exchange/mcollective_directed/web1.example.com"))
        #expect(try !Self.matches("/exchange/mcollective_directed/*", "/exchange/mcollective_directed/web1.example.com"))
        #expect(try Self.matches("/exchange/mcollective_directed/*", "/exchange/mcollective_directed/node1"))
        #expect(try Self.matches("/exchange/mcollective_broadcast/registration", "/exchange/mcollective_broadcast/registration"))
        #expect(try !Self.matches("/exchange/mcollective_broadcast", "/exchange/mcollective_broadcast/rpcutil"))
        // Separators must agree: * does not stand for amq.topic, nor a.b for a/b.
        #expect(try !Self.matches("/exchange/*/>", "/exchange/amq.topic/x"))
        #expect(try Self.matches("/exchange/*/>", "/exchange/mcollective_reply/client_1"))
        #expect(try !Self.matches("/exchange/amq.topic.>", "/exchange/amq/topic.x"))
        #expect(try Self.matches("/exchange/amq.topic/>", "/exchange/amq.topic/x"))
    }

    @Test("malformed patterns are refused with a reason")
    func badPatterns() {
        for (pattern, reason) in [
            ("topic.mcollective", "must start with /topic/"),
            ("/topic/", "names no destination"),
            ("/queue/a.>.b", "must be the last segment"),
            ("/exchange/mcollective_*/>", "whole segments"),
            ("/topic/a*", "whole segments"),
            ("/topics/a", "must start with"),
        ] {
            #expect(throws: AccessPolicyError.self, "\(pattern)") { try DestinationPattern(parsing: pattern) }
            do {
                _ = try DestinationPattern(parsing: pattern)
            } catch {
                #expect(error.message.contains(reason), "\(pattern): \(error.message)")
            }
        }
    }

    @Test("grants: clauses by ;, operations and principals by commas, none, merged repeats")
    func grants() throws {
        let rule = try AccessRule(pattern: "/queue/x", grants: "read, create: nodes; write: clients, admins; read: admins", line: 7)
        #expect(rule.grants == [.read: ["nodes", "admins"], .create: ["nodes"], .write: ["clients", "admins"]])
        #expect(rule.rights(for: ["nodes"]) == [.read, .create])
        #expect(rule.rights(for: ["admins", "everyone"]) == [.read, .write])
        #expect(rule.rights(for: ["someone"]) == [])
        #expect(rule.description == "acl./queue/x (line 7)")
        #expect(try AccessRule(pattern: ">", grants: "none").grants.isEmpty)
        #expect(try AccessRule(pattern: ">", grants: "READ: a;").grants == [.read: ["a"]])
        for bad in ["", "read nodes", "admin: nodes", "read:", ": nodes", "read: a,,b", "read: a b"] {
            #expect(throws: AccessPolicyError.self, "'\(bad)'") { try AccessRule(pattern: ">", grants: bad) }
        }
    }

    static let policyText = """
        user.mcollective = n0des
        user.alice = a1ice
        user.bob = b0b
        group.nodes = mcollective
        group.clients = alice, bob
        group.admins = bob
        acl./topic/mcollective.registration.agent = read, create: nodes; write: nodes, clients
        acl./topic/mcollective.*.agent = read, create: nodes; write: clients
        acl./queue/mcollective.nodes = read: nodes; write: clients; create: nodes, clients
        acl./queue/mcollective.reply.> = read: clients; write: nodes; create: nodes, clients
        acl./temp-queue/> = create: clients
        acl./reply-queue/> = write: nodes
        acl./topic/secret.> = none
        acl./topic/> = read: everyone; write, create: admins
        """

    @Test("the first matching rule decides; what it does not grant is denied; no rule = denied")
    func firstMatch() throws {
        let policy = try BrokerConfiguration(parsing: Self.policyText).accessControl
        #expect(policy.isEnabled)
        func rights(_ login: String, _ path: String) throws -> AccessRights {
            policy.decision(forLogin: login, on: try Self.destination(path)).rights
        }
        // Nodes read requests and write replies, but do not send requests.
        #expect(try rights("mcollective", "/topic/mcollective.rpcutil.agent") == [.read, .create])
        #expect(try rights("mcollective", "/queue/mcollective.reply.alice_1.2") == [.write, .create])
        #expect(try rights("mcollective", "/queue/mcollective.nodes") == [.read, .create])
        // Registration: the earlier, narrower line wins over mcollective.*.agent.
        #expect(try rights("mcollective", "/topic/mcollective.registration.agent") == [.read, .write, .create])
        // Clients send requests and read replies.
        #expect(try rights("alice", "/topic/mcollective.rpcutil.agent") == [.write])
        #expect(try rights("alice", "/queue/mcollective.reply.alice_1.2") == [.read, .create])
        #expect(try rights("alice", "/temp-queue/mcollective_reply_rpcutil") == [.create])
        #expect(try rights("mcollective", "/temp-queue/mcollective_reply_rpcutil") == [])
        // Later broad lines do not add to an earlier match; none denies everything.
        #expect(try rights("bob", "/topic/mcollective.rpcutil.agent") == [.write])
        #expect(try rights("bob", "/topic/secret.plans") == [])
        #expect(try rights("bob", "/topic/other") == [.read, .write, .create])
        #expect(try rights("alice", "/topic/other") == [.read])
        // No rule matches: denied, and the decision says so.
        let unmatched = policy.decision(forLogin: "bob", on: try Self.destination("/queue/elsewhere"))
        #expect(unmatched.rights == [] && unmatched.rule == nil)
        var access = ConnectionAccess(policy.access(forLogin: "bob"))
        let denial = try #require(access.denial(.write, on: try Self.destination("/queue/elsewhere"), exists: { _ in true }))
        #expect(denial.logMessage(peer: "10.0.0.7:5000") == "access denied: user 'bob' from 10.0.0.7:5000 may not write to /queue/elsewhere; no acl. rule matches it")
        #expect(denial.refusal == "User 'bob' is not authorized to write to /queue/elsewhere.")
        let matched = policy.decision(forLogin: "alice", on: try Self.destination("/amq/queue/mcollective.nodes"))
        #expect(matched.rule?.line == 9 && matched.rights == [.write, .create])
        #expect(policy.groups(of: "bob") == ["admins", "clients"])
    }

    @Test("without acl lines everything is allowed, whoever logs in")
    func noPolicy() throws {
        let policy = try BrokerConfiguration(parsing: "user.a = b\ngroup.g = a").accessControl
        #expect(!policy.isEnabled)
        #expect(policy.access(forLogin: "a").isUnrestricted)
        #expect(policy.decision(forLogin: nil, on: try Self.destination("/topic/x")).rights == .all)
        var access = ConnectionAccess(policy.access(forLogin: "a"))
        #expect(access.denial(.write, on: try Self.destination("/queue/q"), exists: { _ in false }) == nil)
        #expect(access.cachedDecisions == 0)
    }

    @Test("configuration errors name the line: unknown principals, strangers in groups, no users, duplicates")
    func configurationErrors() {
        let cases: [(String, Int, String)] = [
            ("user.a = x\nacl./topic/t = read: b", 2, "'b' is neither a user, a group nor 'everyone'"),
            ("user.a = x\ngroup.g = a, c", 2, "group.g: 'c' is not a user"),
            ("acl./topic/t = read: everyone", 1, "acl. lines need user. lines"),
            ("user.a = x\ngroup.a = a", 2, "also a user"),
            ("user.a = x\ngroup.everyone = a", 2, "built in"),
            ("user.everyone = x", 0, "built in"),
            ("user.a = x\ngroup.g = a\ngroup.g = a", 3, "already defined on line 2"),
            ("user.a = x\nacl./topic/t = read: a\nacl./topic/t = write: a", 3, "already set on line 2"),
            ("user.a = x\nacl.topic.t = read: a", 2, "must start with /topic/"),
            ("user.a = x\nacl./topic/t = reed: a", 2, "unknown operation 'reed'"),
            ("user.a = x\ngroup.g =", 2, "must list its users"),
        ]
        for (text, line, fragment) in cases {
            do {
                _ = try BrokerConfiguration(parsing: text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.line == line, "\(text): \(error)")
                #expect(error.message.contains(fragment), "\(text): \(error)")
            }
        }
        // Users may come after the groups and rules that name them.
        #expect(throws: Never.self) {
            try BrokerConfiguration(parsing: "group.g = a\nacl./topic/t = read: g, a, everyone\nuser.a = x")
        }
    }

    @Test("creating: first SUBSCRIBE to a topic, first SUBSCRIBE or SEND to a queue; never for exchanges or reply queues")
    func creation() throws {
        let configuration = try BrokerConfiguration(parsing: """
            user.reader = x
            acl./topic/> = read: reader
            acl./queue/> = read, write: reader
            acl./exchange/> = read, write: reader
            acl./reply-queue/> = write: reader
            acl./temp-queue/> = none
            """)
        var access = ConnectionAccess(configuration.accessControl.access(forLogin: "reader"))
        func denial(_ operation: AccessOperation, _ path: String, exists: Bool) throws -> AccessDenial? {
            access.denial(operation, on: try Self.destination(path), exists: { _ in exists })
        }
        #expect(try denial(.read, "/topic/t", exists: true) == nil)
        #expect(try denial(.read, "/topic/t", exists: false)?.operation == .create)
        #expect(try denial(.write, "/topic/t", exists: false)?.operation == .write)
        #expect(try denial(.read, "/queue/q", exists: true) == nil)
        #expect(try denial(.read, "/queue/q", exists: false)?.operation == .create)
        #expect(try denial(.write, "/queue/q", exists: true) == nil)
        #expect(try denial(.write, "/amq/queue/q", exists: false)?.operation == .create)
        #expect(try denial(.read, "/exchange/x/k", exists: false) == nil)
        #expect(try denial(.write, "/exchange/x/k", exists: false) == nil)
        #expect(try denial(.write, "/reply-queue/amq.gen-x", exists: false) == nil)
        let temp = try #require(try denial(.create, "/temp-queue/r", exists: false))
        #expect(temp.rule?.line == 6)
        #expect(temp.refusal == "User 'reader' is not authorized to create /temp-queue/r.")
        #expect(temp.logMessage(peer: "127.0.0.1:4000") == "access denied: user 'reader' from 127.0.0.1:4000 may not create /temp-queue/r; rule acl./temp-queue/> (line 6) does not grant create")
        let read = try #require(try denial(.read, "/temp-queue/x", exists: false))
        #expect(read.logMessage(peer: "p").hasSuffix("may not read from /temp-queue/x; rule acl./temp-queue/> (line 6) does not grant read"))
    }

    @Test("decisions are cached per destination and the cache stays bounded")
    func cache() throws {
        let configuration = try BrokerConfiguration(parsing: "user.n = x\nacl./queue/r.> = write, create: n")
        var access = ConnectionAccess(configuration.accessControl.access(forLogin: "n"))
        for index in 0..<(ConnectionAccess.cacheLimit + 10) {
            #expect(access.denial(.write, on: try Self.destination("/queue/r.\(index)"), exists: { _ in false }) == nil)
        }
        #expect(access.cachedDecisions <= ConnectionAccess.cacheLimit)
        #expect(access.cachedDecisions > 0)
        let again = try Self.destination("/queue/r.5")
        #expect(access.decision(for: again) == access.decision(for: again))
    }

    @Test("passcodes: equal only when every byte and the length agree")
    func passcodes() throws {
        #expect(PasscodeCheck.matches("marionette", "marionette"))
        #expect(!PasscodeCheck.matches("marionettx", "marionette"))
        #expect(!PasscodeCheck.matches("marionette", "marionette\u{0}"))
        #expect(!PasscodeCheck.matches("", "x"))
        #expect(PasscodeCheck.matches("", ""))
        #expect(!PasscodeCheck.matches("ü", "u"))
        let configuration = try BrokerConfiguration(parsing: "user.a = s3cret")
        #expect(configuration.authenticates(login: "a", passcode: "s3cret"))
        #expect(!configuration.authenticates(login: "a", passcode: "s3cre"))
        #expect(!configuration.authenticates(login: "a", passcode: nil))
        #expect(!configuration.authenticates(login: "b", passcode: "s3cret"))
    }
}
