#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Verdicts on captures made with third-party user agents (captures/agents/) against what those
agents really did (captures/agents/expectations.json, derived from tshark's own sip.* fields by
captures/agents/expectations.py and checked by eye).

For every 302/412/422/401/407 response the expectations list, sipdiag (tshark -2, the plugin
loaded as users load it) must name the same follow-up request (or none) and say whether it
applied the fix; a response a proxy relays is judged on the relayed copy, not here; a
retransmission has no verdict. Disagreements are printed one per line; KNOWN lists the ones not
fixed yet, each with the reason, and the test fails when a known one stops happening (so the
list only shrinks) or a new one appears.

Usage: check_agents.py PLUGIN_SO [-v]
"""

import atexit
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from tshark_env import TsharkEnv  # noqa: E402

AGENTS = os.path.join(ROOT, "captures", "agents")
FIELDS = ["frame.number", "sipdiag.code", "sipdiag.followup_frame", "sipdiag.followup_ok",
          "sipdiag.retransmission", "sipdiag.outcome"]

# (capture, response frame): why sipdiag still disagrees. Keep it short and honest.
KNOWN = {}


def tshark_facts(env, path):
    out = env.run(["-2", "-r", path, "-Y", "sipdiag.code >= 300", "-T", "fields",
                   "-E", "occurrence=f"] + sum((["-e", f] for f in FIELDS), [])).stdout
    facts = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) != len(FIELDS) or not cols[0]:
            continue
        facts[int(cols[0])] = dict(zip(FIELDS, cols))
    return facts


def expected(resp):
    """(followup frame or 0, fix applied or None) as the agent really did, or None: not judged
    here (a relayed response or a retransmission)."""
    if resp.get("relayed_as") or resp.get("retransmission"):
        return None
    f = resp.get("followup")
    if not f:
        return (0, None)
    return (f["frame"], bool(f.get("fix_applied")))


def main():
    plugin = sys.argv[1]
    verbose = "-v" in sys.argv
    data = json.load(open(os.path.join(AGENTS, "expectations.json")))
    env = TsharkEnv(plugin)
    atexit.register(env.cleanup)  # its home in /tmp was left behind on every run
    disagree = {}
    checked = 0
    for cap in sorted(data["captures"]):
        path = env.add_capture(os.path.join(AGENTS, cap))
        facts = tshark_facts(env, path)
        for resp in data["captures"][cap]["responses"]:
            want = expected(resp)
            if want is None:
                continue
            checked += 1
            got_f = facts.get(resp["frame"], {})
            frame = int(got_f.get("sipdiag.followup_frame") or 0)
            ok_text = got_f.get("sipdiag.followup_ok", "")
            ok = None if ok_text == "" else ok_text in ("1", "True")
            got = (frame, ok if frame else None)
            if want[0] == 0:
                want = (0, None)
            if got != want:
                disagree[(cap, resp["frame"])] = (
                    f"{cap} frame {resp['frame']} ({resp['status']}, {resp.get('client_agent')}): "
                    f"agent did follow-up={want[0] or 'none'} fix={want[1]}, "
                    f"sipdiag says follow-up={got[0] or 'none'} fix={got[1]} "
                    f"outcome={got_f.get('sipdiag.outcome', '')}")
            elif verbose:
                print(f"ok   {cap} frame {resp['frame']} ({resp['status']})")
    failed = 0
    for key, text in sorted(disagree.items()):
        tag = "known" if key in KNOWN else "NEW"
        print(f"{tag:5} {text}" + (f"  [{KNOWN[key]}]" if key in KNOWN else ""))
        failed += key not in KNOWN
    for key in sorted(set(KNOWN) - set(disagree)):
        print(f"FIXED {key[0]} frame {key[1]}: remove it from KNOWN ({KNOWN[key]})")
        failed += 1
    agree = checked - len(disagree)
    print(f"agents: {agree} of {checked} verdicts agree with what the agents did")
    print(f"agents: {checked - failed} passed, {failed} failed")
    return 1 if failed or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
