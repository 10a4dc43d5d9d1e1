#!/usr/bin/env python3
"""Scoring harness: compare exfild's alerts with a scenario's ground truth.

usage: harness.py TRUTH.tsv ALERTS.json [--hosts N] [--days D]
                  [--min-recall R] [--max-fp F] [--max-tta S] [--table]

An alert belongs to a truth row when its source.ip is the row's host and
its @timestamp falls in [start - 5 min, end + 1 h].  Rows with expect=alert
are attacks: found when at least one alert belongs to them; time to alert
is the first such alert's @timestamp minus the row's start.  Every alert
that belongs to no attack is a false alert (it may belong to a benign twin,
which is named).  Exits 1 when recall, false alerts per 100 host-days or
the median time to alert miss the given thresholds.
"""
import argparse
import datetime
import json
import statistics
import sys


def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth")
    ap.add_argument("alerts")
    ap.add_argument("--hosts", type=int, default=0)
    ap.add_argument("--days", type=float, default=0)
    ap.add_argument("--min-recall", type=float, default=None)
    ap.add_argument("--max-fp", type=float, default=None)
    ap.add_argument("--max-tta", type=float, default=None)
    ap.add_argument("--table", action="store_true", help="one line per truth row")
    a = ap.parse_args()

    rows = []
    with open(a.truth) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if not p or p[0] in ("kind", "") or p[0].startswith("#"):
                continue
            rows.append({"kind": p[0], "host": p[1], "start": float(p[2]),
                         "end": float(p[3]), "dst": p[4], "expect": p[5],
                         "note": p[6] if len(p) > 6 else "", "alerts": []})
    alerts = []
    try:
        with open(a.alerts) as f:
            for line in f:
                if line.strip():
                    alerts.append(json.loads(line))
    except FileNotFoundError:
        pass
    hosts = set(r["host"] for r in rows)
    fps = []
    for al in alerts:
        t = ts(al["@timestamp"])
        src = al.get("source", {}).get("ip", "")
        owners = [r for r in rows
                  if r["host"] == src and r["start"] - 300 <= t <= r["end"] + 3600]
        for r in owners:
            r["alerts"].append((t, al))
        if not any(r["expect"] == "alert" for r in owners):
            fps.append((al, owners[0] if owners else None))

    attacks = [r for r in rows if r["expect"] == "alert"]
    found = [r for r in attacks if r["alerts"]]
    ttas = []
    if a.table:
        print("%-24s %-14s %-6s %-8s %-16s %s" % ("kind", "host", "expect", "result",
                                                 "first rule", "time to alert"))
    for r in rows:
        if r["expect"] == "alert":
            if r["alerts"]:
                t0, al = min(r["alerts"], key=lambda x: x[0])
                tta = max(0.0, t0 - r["start"])
                ttas.append(tta)
                res, rule, tt = "found", al["rule"]["id"], "%.0f s" % tta
            else:
                res, rule, tt = "MISSED", "-", "-"
        else:
            res = "quiet" if not r["alerts"] else "ALERTED"
            rule = r["alerts"][0][1]["rule"]["id"] if r["alerts"] else "-"
            tt = "-"
        if a.table:
            print("%-24s %-14s %-6s %-8s %-16s %s" % (r["kind"], r["host"],
                                                     r["expect"], res, rule, tt))
    recall = len(found) / len(attacks) if attacks else 1.0
    hd = (a.hosts or len(hosts)) * (a.days or 1)
    fp100 = 100.0 * len(fps) / hd if hd else 0.0
    med = statistics.median(ttas) if ttas else 0.0
    for al, owner in fps:
        print("false alert: %s %s -> %s %s%s" % (
            al["@timestamp"], al.get("source", {}).get("ip"),
            al.get("destination", {}).get("ip", al.get("destination", {}).get("domain", "")),
            al["rule"]["id"], " (benign twin: %s)" % owner["kind"] if owner else ""))
    print("recall %d/%d = %.2f; false alerts %d = %.2f per 100 host-days (%d host-days); "
          "median time to alert %.0f s" % (len(found), len(attacks), recall, len(fps),
                                           fp100, hd, med))
    ok = True
    if a.min_recall is not None and recall < a.min_recall:
        print("FAIL: recall %.2f < %.2f" % (recall, a.min_recall)); ok = False
    if a.max_fp is not None and fp100 > a.max_fp:
        print("FAIL: %.2f false alerts per 100 host-days > %.2f" % (fp100, a.max_fp)); ok = False
    if a.max_tta is not None and med > a.max_tta:
        print("FAIL: median time to alert %.0f s > %.0f s" % (med, a.max_tta)); ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
