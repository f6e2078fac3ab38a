#!/usr/bin/env python3
"""Compare the conformance results of chorus broker, RabbitMQ and ActiveMQ.

    compare.py --results results.jsonl [--json conformance.json] [--versions 'chorus=… rabbitmq=…']
    compare.py --results results.jsonl --record     # rewrite expectations.json from this run

Every case (scenario × client × broker) passes when its result equals the expected one:
- RabbitMQ and ActiveMQ: their result pinned in expectations.json, so a change in either
  broker's behaviour (or in a client library) fails;
- chorus, scenario 'shared': the peers' pinned result (all peers must agree);
- chorus, scenario 'differs': the pinned result of the peer scenarios.json names in 'chorus'
  ('own': chorus's pinned result).
A scenario with 'chorus_pending' (the reason) lists chorus's mismatches as pending instead of
failed, and says when chorus passes again so the entry can go. Prints the matrix, the
mismatches with expected and actual results, and 'P passed, F failed'; exits 1 on a failure.
"""
import argparse
import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BROKERS = ["chorus", "rabbitmq", "activemq"]
PEERS = ["rabbitmq", "activemq"]
CLIENTS = ["python", "ruby"]
ANY_CLIENT = "*"


def load_results(path):
    results = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line:
                continue
            try:
                case = json.loads(line)
            except ValueError:
                sys.exit("%s:%d: not a JSON line: %s" % (path, number, line[:200]))
            results[(case["scenario"], case["client"], case["broker"])] = case["result"]
    return results


def pinned(expectations, scenario, broker, client):
    """The result pinned for a broker and client ('*' = the same for every client), or None."""
    by_client = expectations.get(scenario, {}).get(broker)
    if by_client is None:
        return None
    return by_client.get(client, by_client.get(ANY_CLIENT))


def expected_result(scenario, broker, client, expectations):
    """(expected result or None, where it comes from)."""
    name = scenario["name"]
    if broker != "chorus":
        return pinned(expectations, name, broker, client), "%s as pinned" % broker
    if scenario.get("compare", "shared") == "shared":
        peers = [b for b in PEERS if b in scenario.get("brokers", BROKERS)]
        return pinned(expectations, name, peers[0], client), "the peers (%s)" % ", ".join(peers)
    like = scenario["chorus"]
    if like == "own":
        return pinned(expectations, name, "chorus", client), "chorus as pinned"
    return pinned(expectations, name, like, client), like


def check_shared_pins(scenarios, expectations):
    """A 'shared' scenario whose peers' pinned results differ is mislabelled."""
    problems = []
    for scenario in scenarios:
        if scenario.get("compare", "shared") != "shared":
            continue
        peers = [b for b in PEERS if b in scenario.get("brokers", BROKERS)]
        for client in CLIENTS:
            values = [json.dumps(pinned(expectations, scenario["name"], b, client), sort_keys=True) for b in peers]
            if len(set(values)) > 1:
                problems.append("%s (%s): marked shared, but the peers' pinned results differ" % (scenario["name"], client))
    return problems


def record(known, scenarios, results, path):
    """Pins every peer's result (and chorus's where 'chorus' is 'own') of the scenarios that ran,
    keeping the other scenarios' pins."""
    pins = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            pins = json.load(handle)["scenarios"]
    pins = {name: value for name, value in pins.items() if name in known}
    for scenario in scenarios:
        pins.pop(scenario["name"], None)
        name = scenario["name"]
        brokers = [b for b in PEERS if b in scenario.get("brokers", BROKERS)]
        if scenario.get("chorus") == "own":
            brokers.append("chorus")
        for broker in brokers:
            by_client = {c: results.get((name, c, broker)) for c in CLIENTS}
            if any(v is None for v in by_client.values()):
                sys.exit("cannot record %s on %s: a client's result is missing" % (name, broker))
            if by_client["python"] == by_client["ruby"]:
                by_client = {ANY_CLIENT: by_client["python"]}
            pins.setdefault(name, {})[broker] = by_client
    document = {
        "about": "Results pinned from RabbitMQ and ActiveMQ (and chorus where scenarios.json says 'own') by "
                 "compare.py --record; per broker, per client ('*' = both clients). Review changes before "
                 "checking them in: a change here is a change in a broker's observable behaviour.",
        "scenarios": pins,
    }
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1, sort_keys=True, ensure_ascii=True)
        handle.write("\n")
    print("recorded %d scenarios into %s" % (len(scenarios), path))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True, help="the drivers' JSON lines")
    parser.add_argument("--scenarios", default=os.path.join(HERE, "scenarios.json"))
    parser.add_argument("--expectations", default=os.path.join(HERE, "expectations.json"))
    parser.add_argument("--json", help="write the matrix and every case here")
    parser.add_argument("--versions", default="", help="'broker=server-header …' for the report")
    parser.add_argument("--record", action="store_true", help="rewrite the expectations from this run")
    parser.add_argument("--scenario", default="all", help="the scenarios that ran: a comma list, or all")
    options = parser.parse_args()

    with open(options.scenarios, encoding="utf-8") as handle:
        scenarios = json.load(handle)["scenarios"]
    known = {s["name"] for s in scenarios}
    if options.scenario != "all":
        scenarios = [s for s in scenarios if s["name"] in options.scenario.split(",")]
    results = load_results(options.results)
    if options.record:
        record(known, scenarios, results, options.expectations)
        return 0
    with open(options.expectations, encoding="utf-8") as handle:
        expectations = json.load(handle)["scenarios"]

    clients = [c for c in CLIENTS if any(k[1] == c for k in results)]
    brokers = [b for b in BROKERS if any(k[2] == b for k in results)]
    cases, failures, pending = [], [], []
    for scenario in scenarios:
        for client in clients:
            for broker in brokers:
                if broker not in scenario.get("brokers", BROKERS):
                    continue
                key = (scenario["name"], client, broker)
                actual = results.get(key)
                expected, source = expected_result(scenario, broker, client, expectations)
                if actual is None:
                    status = "missing"
                elif expected is None:
                    status = "unpinned"
                elif actual == expected:
                    status = "pass"
                else:
                    status = "fail"
                if broker == "chorus" and "chorus_pending" in scenario and status == "fail":
                    status = "pending"
                case = {"scenario": scenario["name"], "client": client, "broker": broker, "status": status,
                        "expected_from": source, "expected": expected, "actual": actual}
                cases.append(case)
                if status in ("fail", "missing", "unpinned"):
                    failures.append(case)
                elif status == "pending":
                    pending.append(case)

    print_matrix(scenarios, cases, clients, brokers)
    problems = check_shared_pins(scenarios, expectations)
    for problem in problems:
        print("EXPECTATIONS: " + problem)
    for title, listed in (("MISMATCHES", failures), ("PENDING (chorus_pending in scenarios.json)", pending)):
        if listed:
            print("\n== %s" % title)
            for case in listed:
                print("%s / %s / %s: %s (expected: %s)" % (case["scenario"], case["client"], case["broker"],
                                                           case["status"], case["expected_from"]))
                print("   expected: %s" % json.dumps(case["expected"], sort_keys=True))
                print("   actual:   %s" % json.dumps(case["actual"], sort_keys=True))
    for scenario in scenarios:
        statuses = [c["status"] for c in cases if c["scenario"] == scenario["name"] and c["broker"] == "chorus"]
        if "chorus_pending" in scenario and statuses and all(s == "pass" for s in statuses):
            print("NOTE: %s now passes on chorus: remove its chorus_pending entry" % scenario["name"])

    passed = sum(1 for c in cases if c["status"] == "pass")
    print("\nconformance: %d cases (%d scenarios x %s x %s) ran: %d passed, %d failed, %d pending%s"
          % (len(cases), len(scenarios), "/".join(clients), "/".join(brokers), passed, len(failures), len(pending),
             "; %d problems in expectations.json" % len(problems) if problems else ""))
    if options.json:
        document = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "versions": dict(v.split("=", 1) for v in options.versions.split() if "=" in v),
                    "summary": {"cases": len(cases), "passed": passed, "failed": len(failures),
                                "pending": len(pending), "expectation_problems": problems},
                    "cases": cases}
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
            handle.write("\n")
    print("%d passed, %d failed" % (passed, len(failures) + len(problems)))
    return 1 if failures or problems else 0


def print_matrix(scenarios, cases, clients, brokers):
    marks = {"pass": "ok", "fail": "FAIL", "missing": "MISSING", "unpinned": "UNPINNED", "pending": "pending"}
    status = {(c["scenario"], c["client"], c["broker"]): c["status"] for c in cases}
    columns = ["%s/%s" % (c[:2], b) for c in clients for b in brokers]
    width = max(len(s["name"]) for s in scenarios)
    print("%-*s  %-10s %s" % (width, "scenario", "compare", " ".join("%-11s" % c for c in columns)))
    for scenario in scenarios:
        cells = []
        for client in clients:
            for broker in brokers:
                cells.append("%-11s" % marks.get(status.get((scenario["name"], client, broker)), "n/a"))
        kind = scenario.get("compare", "shared")
        if kind == "differs":
            kind = "~" + scenario["chorus"]
        print("%-*s  %-10s %s" % (width, scenario["name"], kind, " ".join(cells).rstrip()))


if __name__ == "__main__":
    sys.exit(main())
