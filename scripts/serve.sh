#!/usr/bin/env bash
# Starts the background task worker and the web server for `make run`, prints where to go,
# and stops the worker again when the server is stopped (Ctrl-C).
set -euo pipefail
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
PY=.venv/bin/python

$PY manage.py db_worker --queue-name default >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

cat <<TXT

  科技工作者状况调查平台 / S&T worker status survey platform
  -----------------------------------------------------------
  Site:        http://$HOST:$PORT/
  Admin:       http://$HOST:$PORT/admin/
  Task worker: running (pid $WORKER, log var/worker.log)

TXT
$PY manage.py seed_demo --base-url "http://$HOST:$PORT" | sed -n '2,$p'
echo
echo "  Stop with Ctrl-C."
echo
exec_rc=0
$PY manage.py runserver "$HOST:$PORT" || exec_rc=$?
exit $exec_rc
