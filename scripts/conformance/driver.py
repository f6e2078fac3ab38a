#!/usr/bin/env python3
"""Run the STOMP conformance scenarios (scenarios.json) through stomp.py, a STOMP client
Chorus did not write, against one broker, and print one JSON line per scenario:

    {"scenario": NAME, "client": "python", "broker": KIND, "result": {RECORD: OUTCOME, ...}}

    driver.py --host 127.0.0.1 --port 61613 --login mcollective --passcode marionette \
              --broker-kind chorus|rabbitmq|activemq [--scenario NAME[,NAME...]|all]

Results hold only what a client observes and what is meaningful across brokers: bodies and
chosen headers in arrival order, whether a RECEIPT or an ERROR came, whether the connection
stayed open; never a timing, a message-id or an error text. Destinations are printed with
the run's prefix as "~" and generated queue names as "amq.gen-*" (scenario_run.py).
"""
import logging
import sys
import threading
import time

import stomp
from stomp.exception import StompException

sys.dont_write_bytecode = True   # no __pycache__ beside the scripts in the work tree
from scenario_run import Scenarios, ScenarioRun, parse_arguments  # noqa: E402

CLIENT = "python"


class Recorder(stomp.ConnectionListener):
    """Collects every frame stomp.py hands over, for the steps to wait on."""

    def __init__(self):
        self.condition = threading.Condition()
        self.connected = None       # the CONNECTED or first ERROR frame answering the CONNECT
        self.messages = []          # MESSAGE frames, in arrival order
        self.receipts = set()
        self.errors = 0
        self.closed = False

    def _note(self, change):
        with self.condition:
            change()
            self.condition.notify_all()

    def on_connected(self, frame):
        self._note(lambda: setattr(self, "connected", self.connected or frame))

    def on_message(self, frame):
        self._note(lambda: self.messages.append(frame))

    def on_receipt(self, frame):
        self._note(lambda: self.receipts.add(frame.headers.get("receipt-id")))

    def on_error(self, frame):
        def change():
            self.errors += 1
            if self.connected is None:
                self.connected = frame
        self._note(change)

    def on_disconnected(self):
        self._note(lambda: setattr(self, "closed", True))

    def wait(self, predicate, timeout_ms):
        """Waits until predicate() holds or the time is up; returns predicate()."""
        deadline = time.monotonic() + timeout_ms / 1000
        with self.condition:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.condition.wait(left)
            return predicate()


class Connection:
    """One STOMP connection through stomp.py's Connection10/11/12."""

    def __init__(self, options, version):
        self.version = version
        self.recorder = Recorder()
        classes = {"1.0": stomp.Connection10, "1.1": stomp.Connection11, "1.2": stomp.Connection12}
        arguments = dict(host_and_ports=[(options.host, options.port)], auto_decode=False,
                         reconnect_attempts_max=1)
        if version != "1.0":
            arguments["vhost"] = options.vhost
            arguments["heartbeats"] = (0, 0)   # heart-beats are offered explicitly, see connect
        self.stomp = classes[version](**arguments)
        self.stomp.set_listener("recorder", self.recorder)
        self.next_receipt = 0

    # -- connecting

    def connect(self, options, step):
        """CONNECT (or STOMP); returns the answering frame's command, or None."""
        login, passcode = options.login, step.get("passcode", options.passcode)
        headers = {}
        if "heartbeat" in step:
            # stomp.py sends heart-beats only for its heartbeats=(x, y) setting; offering the
            # header ourselves with heartbeats=(0, 0) makes a client that never heart-beats.
            headers["heart-beat"] = step["heartbeat"]
        command = step.get("frame", "CONNECT")
        if "accept" in step:
            # stomp.py always offers exactly its own version; another accept-version is sent
            # through its frame writer.
            headers.update({"accept-version": step["accept"], "host": options.vhost,
                            "login": login, "passcode": passcode})
            self.stomp.transport.start()
            self.stomp.send_frame(command, headers)
        elif self.version == "1.0":
            headers["host"] = options.vhost   # as MCollective's connectors send it
            self.stomp.connect(login, passcode, wait=False, headers=headers)
        else:
            self.stomp.connect(login, passcode, wait=False, headers=headers,
                               with_connect_command=(command == "CONNECT"))
        r = self.recorder
        r.wait(lambda: r.connected is not None or r.closed, 5000)
        return r.connected.cmd if r.connected is not None else None

    def connected_header(self, name):
        frame = self.recorder.connected
        return frame.headers.get(name) if frame is not None else None

    # -- frames with receipts

    def receipt_id(self):
        self.next_receipt += 1
        return "receipt-%d" % self.next_receipt

    def await_receipt(self, receipt, timeout_ms=5000):
        """'receipt', 'error' (an ERROR came instead), 'closed' or 'timeout'."""
        r = self.recorder
        errors = r.errors
        r.wait(lambda: receipt in r.receipts or r.errors > errors or r.closed, timeout_ms)
        if receipt in r.receipts:
            return "receipt"
        if r.errors > errors:
            return "error"
        return "closed" if r.closed else "timeout"

    def perform(self, action, with_receipt, timeout_ms=5000):
        """Runs action(headers) with a receipt header when asked, and reports the outcome."""
        if self.recorder.closed:
            return "closed"
        headers = {}
        receipt = None
        if with_receipt:
            receipt = self.receipt_id()
            headers["receipt"] = receipt
        errors = self.recorder.errors
        try:
            action(headers)
        except (StompException, OSError):   # the socket is gone; the broker may have answered first
            return "receipt" if receipt in self.recorder.receipts else "closed"
        if receipt is None:
            return "sent"
        return self.await_receipt(receipt, timeout_ms) if self.recorder.errors == errors else "error"

    def send(self, destination, body, headers, transaction, with_receipt, timeout_ms=5000):
        def action(extra):
            # A list value is a header repeated once per element (stomp.py writes tuples so).
            merged = {k: tuple(v) if isinstance(v, list) else v for k, v in headers.items()}
            merged.update(extra)
            if transaction:
                merged["transaction"] = transaction
            self.stomp.send(destination, body.encode("utf-8"), headers=merged)
        return self.perform(action, with_receipt, timeout_ms)

    def subscribe(self, destination, ident, ack, headers, with_receipt):
        def action(extra):
            merged = dict(headers)
            merged.update(extra)
            if self.version == "1.0":
                self.stomp.subscribe(destination, id=ident, ack=ack, headers=merged)
            else:
                self.stomp.subscribe(destination, ident, ack=ack, headers=merged)
        return self.perform(action, with_receipt)

    def unsubscribe(self, destination, ident, with_receipt):
        def action(extra):
            if self.version == "1.0":
                self.stomp.unsubscribe(destination=destination, id=ident, headers=extra)
            else:
                self.stomp.unsubscribe(ident, headers=extra)
        return self.perform(action, with_receipt)

    def acknowledge(self, command, message, transaction, with_receipt):
        """ACK or NACK of a MESSAGE frame, with the headers this version wants."""
        def action(extra):
            receipt = extra.get("receipt")
            headers = message.headers
            method = self.stomp.ack if command == "ACK" else self.stomp.nack
            if self.version == "1.2":
                method(headers["ack"], transaction=transaction, receipt=receipt)
            elif self.version == "1.1":
                method(headers["message-id"], headers["subscription"], transaction=transaction, receipt=receipt)
            else:
                method(headers["message-id"], transaction=transaction, receipt=receipt)
        return self.perform(action, with_receipt)

    def transaction(self, command, name, with_receipt):
        method = {"BEGIN": self.stomp.begin, "COMMIT": self.stomp.commit, "ABORT": self.stomp.abort}[command]
        return self.perform(lambda extra: method(name, headers=extra), with_receipt)

    def raw(self, command, headers):
        """A frame stomp.py's protocol object has no method for, through its frame writer."""
        errors = self.recorder.errors
        try:
            self.stomp.send_frame(command, dict(headers))
        except (StompException, OSError):
            pass   # closed while writing: the ERROR may have come all the same
        r = self.recorder
        r.wait(lambda: r.errors > errors or r.closed, 3000)
        return "error" if r.errors > errors else ("closed" if r.closed else "nothing")

    def disconnect(self, with_receipt):
        if self.recorder.closed:
            return "closed"
        if not with_receipt:
            try:
                self.stomp.send_frame("DISCONNECT", {})
            except (StompException, OSError):
                return "closed"
            self.drop()
            return "sent"
        receipt = self.receipt_id()
        try:
            # stomp.py's own disconnect: DISCONNECT with the receipt, wait for it, close.
            self.stomp.disconnect(receipt=receipt)
        except (StompException, OSError):
            return "closed"
        outcome = "receipt" if receipt in self.recorder.receipts else self.await_receipt(receipt)
        self.drop()
        return outcome

    def drop(self):
        """Closes the socket without a DISCONNECT frame."""
        try:
            self.stomp.transport.disconnect_socket()
        except (StompException, OSError):
            pass
        self.recorder.wait(lambda: self.recorder.closed, 2000)

    def probe(self):
        """After an ERROR: 'closed' when the broker closes the connection by itself within a
        second; else DISCONNECT with a receipt through the frame writer: 'answers' when the
        RECEIPT comes, 'unresponsive' when neither it nor a close comes within 2 s."""
        r = self.recorder
        if r.wait(lambda: r.closed, 1000):
            return "closed"
        try:
            self.stomp.send_frame("DISCONNECT", {"receipt": "probe"})
        except (StompException, OSError):
            pass   # answered and closed while writing, or closed before
        r.wait(lambda: "probe" in r.receipts or r.closed, 2000)
        with r.condition:
            return "answers" if "probe" in r.receipts else ("closed" if r.closed else "unresponsive")

    def await_close(self, timeout_ms):
        return self.recorder.wait(lambda: self.recorder.closed, timeout_ms)

    def close(self):
        if not self.recorder.closed:
            self.drop()

    # -- received messages, as scenario_run sees them

    def messages(self):
        with self.recorder.condition:
            return list(self.recorder.messages)

    def wait_messages(self, predicate, timeout_ms):
        r = self.recorder
        return r.wait(lambda: predicate(r.messages), timeout_ms)

    @staticmethod
    def body(message):
        return message.body.decode("utf-8", errors="replace") if isinstance(message.body, bytes) else message.body

    @staticmethod
    def header(message, name):
        return message.headers.get(name)

    def error_count(self):
        return self.recorder.errors

    def is_closed(self):
        return self.recorder.closed


class PythonClient:
    """What ScenarioRun needs from a client library."""
    name = CLIENT

    def __init__(self, options):
        self.options = options

    def open(self, step, version):
        connection = Connection(self.options, version)
        try:
            command = connection.connect(self.options, step)
        except (StompException, OSError):   # the socket could not be opened
            command = None
        if command is None:
            connection.recorder.closed = True
        return connection, command


def main():
    # stomp.py warns on stderr about sockets the scenarios close on purpose.
    logging.getLogger("stomp.py").setLevel(logging.CRITICAL)
    options = parse_arguments(sys.argv[1:], CLIENT)
    client = PythonClient(options)
    scenarios = Scenarios.load(options.scenarios)
    for scenario in scenarios.selected(options.scenario, options.broker_kind):
        started = time.monotonic()
        print(ScenarioRun(scenario, client, options).run_json(), flush=True)
        # Durations go to stderr (the run's log), never into a result.
        print("%s: %d ms" % (scenario["name"], (time.monotonic() - started) * 1000), file=sys.stderr)


if __name__ == "__main__":
    main()
