#!/usr/bin/env bash
# Checks the shipped monitoring with Prometheus's promtool: the alert rules' syntax, their unit tests
# on synthetic series (config/prometheus/alerts-test.yml), and the PromQL of every dashboard query.
# Needs promtool (Debian: the prometheus package) and jq.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROM="$ROOT/config/prometheus"
DASHBOARD="$ROOT/config/grafana/infergate.json"
command -v promtool >/dev/null 2>&1 || { echo "promtool not found (Debian: apt-get install prometheus)" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "jq not found" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

promtool check rules "$PROM/alerts.yml"
promtool test rules "$PROM/alerts-test.yml"

# The dashboard's queries as recording rules, with Grafana's variables given values, so that promtool
# parses each one.
jq -r '
  [.panels[] | (., (.panels // [])[]) | .targets // [] | .[] | .expr]
  | to_entries
  | "groups:\n  - name: dashboard\n    rules:\n"
    + (map("      - record: dashboard_query_\(.key)\n        expr: \(.value | tojson)\n") | join(""))
' "$DASHBOARD" \
  | sed -e 's/\$__rate_interval/5m/g' -e 's/\$__range/1h/g' -e 's/\$route/.*/g' >"$WORK/dashboard-queries.yml"
queries=$(grep -c 'record:' "$WORK/dashboard-queries.yml" || true)
[ "$queries" -gt 0 ] || { echo "no query found in $DASHBOARD" >&2; exit 1; }
if ! out=$(promtool check rules "$WORK/dashboard-queries.yml" 2>&1); then
  echo "$out" >&2
  echo "a query of $DASHBOARD does not parse" >&2
  exit 1
fi
echo "dashboard: $queries queries parse"
