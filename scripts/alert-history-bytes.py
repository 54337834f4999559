#!/usr/bin/env python3
# Usage: scripts/alert-history-bytes.py <data folder>/alerts.db
#
# Bytes of alert history in an alerts.db: what is stored now (events name the ids their change
# merged) against what version 1 stored (the whole alert after each change), rebuilt exactly by
# adding up each alert's events in order with the same bound of 64.
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
now_bytes = 0; v1_bytes = 0; n = 0; kinds = {}
lists = {}
for event_id, alert_id, kind, snap in db.execute(
        "SELECT event_id, alert_id, kind, snapshot FROM alert_events ORDER BY event_id"):
    n += 1; kinds[kind] = kinds.get(kind, 0) + 1
    now_bytes += len(snap)
    doc = json.loads(snap)
    obs, tr = lists.setdefault(alert_id, ([], []))
    obs += doc["observation_ids"]; tr += doc["trace_ids"]
    del obs[:-64]; del tr[:-64]
    doc["observation_ids"] = list(obs); doc["trace_ids"] = list(tr)
    v1_bytes += len(json.dumps(doc, separators=(",", ":")))
print(f"events {n} {kinds}")
print(f"snapshot bytes now {now_bytes} ({now_bytes/max(n,1):.0f}/event); version 1 {v1_bytes} ({v1_bytes/max(n,1):.0f}/event); ratio {v1_bytes/max(now_bytes,1):.1f}x")
