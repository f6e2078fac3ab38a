"""The step interpreter of the conformance scenarios for driver.py (scenario_run.rb is the
same for the stomp gem). A client adapter gives connections with connect, send, subscribe,
unsubscribe, acknowledge, transaction, raw, disconnect, drop, probe, await_close and the
received MESSAGE frames; this module runs a scenario's steps on them and builds the result.
"""
import argparse
import json
import os
import re
import secrets
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VERSION = "1.2"
RECEIVE_TIMEOUT_MS = 5000
GENERATED_QUEUE = re.compile(r"amq\.gen-[A-Za-z0-9_-]+")
NOW_OFFSET = re.compile(r"\{now([+-]\d+)\}")
SHORT_NAMES = {"python": "py", "ruby": "rb"}


def parse_arguments(argv, client):
    parser = argparse.ArgumentParser(description="STOMP conformance scenarios through the %s client" % client)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--login", default="mcollective")
    parser.add_argument("--passcode", default="marionette")
    parser.add_argument("--vhost", default="/mcollective", help="the host header (RabbitMQ's virtual host)")
    parser.add_argument("--broker-kind", required=True, choices=["chorus", "rabbitmq", "activemq"])
    parser.add_argument("--scenario", default="all", help="a name, a comma list, or all")
    parser.add_argument("--scenarios", default=os.path.join(HERE, "scenarios.json"))
    parser.add_argument("--run-id", default="r" + secrets.token_hex(4),
                        help="makes this run's destination names unique")
    return parser.parse_args(argv)


class Scenarios:
    def __init__(self, document):
        self.all = document["scenarios"]

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as handle:
            return cls(json.load(handle))

    def selected(self, names, broker):
        """The scenarios named (or all) that apply to this broker."""
        if names == "all":
            chosen = self.all
        else:
            wanted = names.split(",")
            known = {s["name"] for s in self.all}
            unknown = [n for n in wanted if n not in known]
            if unknown:
                sys.exit("unknown scenario(s): %s" % ", ".join(unknown))
            chosen = [s for s in self.all if s["name"] in wanted]
        return [s for s in chosen if broker in s.get("brokers", [broker])]


class ScenarioRun:
    """Runs one scenario's steps through one client against one broker."""

    def __init__(self, scenario, client, options):
        self.scenario = scenario
        self.client = client
        self.options = options
        self.base = "conf.%s.%s.%s" % (options.run_id, SHORT_NAMES[client.name], scenario["name"])
        self.connections = {}
        self.cursors = {}
        self.result = {}

    # -- values

    def expand(self, value):
        """{base} and {now+N}/{now-N} (epoch milliseconds) in a step's strings."""
        if isinstance(value, list):
            return [self.expand(v) for v in value]
        if isinstance(value, dict):
            return {k: self.expand(v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        now = int(time.time() * 1000)
        value = NOW_OFFSET.sub(lambda m: str(now + int(m.group(1))), value)
        return value.replace("{base}", self.base)

    def normalise(self, value):
        if isinstance(value, list):
            return [self.normalise(v) for v in value]
        if not isinstance(value, str):
            return value
        return GENERATED_QUEUE.sub("amq.gen-*", value.replace(self.base, "~"))

    def describe(self, connection, message, headers):
        body = self.normalise(connection.body(message))
        if not headers:
            return body
        shown = {"body": body}
        for name in headers:
            value = connection.header(message, name)
            if value is None or (name == "redelivered" and value == "false"):
                continue   # RabbitMQ says redelivered:false where ActiveMQ says nothing
            shown[name] = self.normalise(value)
        return shown

    # -- steps

    def run_json(self):
        return json.dumps({"scenario": self.scenario["name"], "client": self.client.name,
                           "broker": self.options.broker_kind, "result": self.run()}, sort_keys=True)

    def run(self):
        try:
            for index, step in enumerate(self.scenario["steps"]):
                try:
                    outcome = getattr(self, "op_" + step["op"])(step)
                except Exception as error:  # noqa: BLE001 - reported in the result, details on stderr
                    traceback.print_exc(file=sys.stderr)
                    self.result["driver_error"] = "step %d (%s): %s" % (index + 1, step["op"], type(error).__name__)
                    break
                if "record" in step:
                    self.result[step["record"]] = outcome
        finally:
            for connection in self.connections.values():
                try:
                    connection.close()
                except Exception:  # noqa: BLE001
                    pass
        return self.result

    def conn(self, step):
        return self.connections[step["conn"]]

    def receipt(self, step):
        return step.get("receipt", True)

    def op_connect(self, step):
        version = step.get("version", self.scenario.get("version", DEFAULT_VERSION))
        connection, command = self.client.open(step, version)
        self.connections[step["conn"]] = connection
        self.cursors[step["conn"]] = 0
        outcome = {"frame": command or "none"}
        if command == "CONNECTED":
            for field in step.get("fields", []):
                outcome[field] = connection.connected_header(field)
        return outcome

    def op_send(self, step):
        return self.conn(step).send(self.expand(step["dest"]), step["body"], self.expand(step.get("headers", {})),
                                    step.get("tx"), self.receipt(step), step.get("receipt_timeout_ms", 5000))

    def op_reply(self, step):
        connection = self.conn(step)
        request = self.find(connection, step["to"])
        return connection.send(connection.header(request, "reply-to"), step["body"], {}, None, self.receipt(step))

    def op_subscribe(self, step):
        return self.conn(step).subscribe(self.expand(step["dest"]), step.get("id"), step.get("ack", "auto"),
                                         self.expand(step.get("headers", {})), self.receipt(step))

    def op_unsubscribe(self, step):
        return self.conn(step).unsubscribe(self.expand(step["dest"]), step.get("id"), self.receipt(step))

    def op_ack(self, step):
        connection = self.conn(step)
        return connection.acknowledge("ACK", self.find(connection, step["body"]), step.get("tx"), self.receipt(step))

    def op_nack(self, step):
        connection = self.conn(step)
        return connection.acknowledge("NACK", self.find(connection, step["body"]), step.get("tx"), self.receipt(step))

    def op_begin(self, step):
        return self.conn(step).transaction("BEGIN", step["tx"], self.receipt(step))

    def op_commit(self, step):
        return self.conn(step).transaction("COMMIT", step["tx"], self.receipt(step))

    def op_abort(self, step):
        return self.conn(step).transaction("ABORT", step["tx"], self.receipt(step))

    def op_raw(self, step):
        return self.conn(step).raw(step["command"], step.get("headers", {}))

    def op_disconnect(self, step):
        return self.conn(step).disconnect(self.receipt(step))

    def op_drop(self, step):
        self.conn(step).drop()
        return "dropped"

    def op_probe(self, step):
        connection = self.conn(step)
        return {"error": connection.error_count() > 0, "connection": connection.probe()}

    def op_await_close(self, step):
        return "closed" if self.conn(step).await_close(step.get("timeout_ms", 15000)) else "open"

    def op_sleep(self, step):
        time.sleep(step["ms"] / 1000)

    def op_receive(self, step):
        """The messages that arrived since the last receive on this connection: `count` of them,
        or up to and including the one whose body is `until`."""
        name = step["conn"]
        connection = self.connections[name]
        start = self.cursors[name]
        timeout = step.get("timeout_ms", RECEIVE_TIMEOUT_MS)
        if "until" in step:
            def position(messages):
                for index in range(start, len(messages)):
                    if connection.body(messages[index]) == step["until"]:
                        return index + 1
                return None
            connection.wait_messages(lambda m: position(m) is not None or connection.is_closed(), timeout)
            messages = connection.messages()
            end = position(messages)
            complete = end is not None
            end = end if complete else len(messages)
        else:
            connection.wait_messages(lambda m: len(m) - start >= step["count"] or connection.is_closed(), timeout)
            messages = connection.messages()
            end = len(messages)
            complete = end - start >= step["count"]
        self.cursors[name] = end
        shown = [self.describe(connection, m, step.get("headers")) for m in messages[start:end]]
        if not complete:
            shown.append("(connection closed)" if connection.is_closed() else "(timed out)")
        return shown

    def op_receive_any(self, step):
        """`count` messages over several connections; the bodies each got, as a sorted list of
        lists (which consumer a broker serves first is not compared)."""
        names = step["conns"]
        deadline = time.monotonic() + step.get("timeout_ms", RECEIVE_TIMEOUT_MS) / 1000

        def arrived():
            return sum(len(self.connections[n].messages()) - self.cursors[n] for n in names)
        while arrived() < step["count"] and time.monotonic() < deadline \
                and not all(self.connections[n].is_closed() for n in names):
            time.sleep(0.02)
        complete = arrived() >= step["count"]
        partitions = []
        for name in names:
            connection = self.connections[name]
            messages = connection.messages()
            partitions.append([self.normalise(connection.body(m)) for m in messages[self.cursors[name]:]])
            self.cursors[name] = len(messages)
        result = sorted(partitions)
        if not complete:
            result.append("(timed out)")
        return result

    def find(self, connection, body):
        """The last MESSAGE on this connection with that body."""
        for message in reversed(connection.messages()):
            if connection.body(message) == body:
                return message
        raise LookupError("no message with body %r" % body)
