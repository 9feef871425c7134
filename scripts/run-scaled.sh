#!/usr/bin/env bash
# `make run-scaled`: the multi-machine topology on one machine. Starts a local PostgreSQL
# cluster and a Redis server (Debian packages, installed when missing), migrates, loads the
# demo data, then runs two web processes (gunicorn, ports PORT and PORT+1), two RQ task
# workers and the stale-job reaper. Ctrl-C stops everything. State lives in var/scaled/.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
PGPORT=${PGPORT:-5433}
REDISPORT=${REDISPORT:-6380}
WEB_WORKERS=${WEB_WORKERS:-2}
PY=.venv/bin/python
STATE=$PWD/var/scaled
mkdir -p "$STATE/logs" "$STATE/redis"

WITH_SCALED=1 scripts/system-deps.sh
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
RUN=()
if [ "$(id -u)" -eq 0 ]; then  # initdb refuses root: run the server as `postgres`
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  RUN=(runuser -u postgres --)
fi

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  echo; echo "Stopping..."
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg" -m fast stop >/dev/null 2>&1 || true
  redis-cli -p "$REDISPORT" shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

# --- PostgreSQL ------------------------------------------------------------------------
if [ ! -f "$STATE/pg/PG_VERSION" ]; then
  mkdir -p "$STATE/pg"; chmod 700 "$STATE/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres "$STATE/pg"
  "${RUN[@]}" "$PGBIN/initdb" -D "$STATE/pg" -U survey --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
[ "$(id -u)" -eq 0 ] && chown postgres "$STATE/logs"
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$STATE/pg" -l "$STATE/logs/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$STATE/pg" start >/dev/null
"${RUN[@]}" "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U survey -d postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname='survey'" | grep -q 1 \
  || "${RUN[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U survey survey

# --- Redis -----------------------------------------------------------------------------
redis-server --port "$REDISPORT" --bind 127.0.0.1 --dir "$STATE/redis" --save "" \
  --appendonly yes --daemonize yes --logfile "$STATE/logs/redis.log" >/dev/null

# --- the application's environment (what each machine of a deployment gets) ------------
[ -f "$STATE/secret_key" ] || $PY -c 'import secrets; print(secrets.token_urlsafe(50))' >"$STATE/secret_key"
export DJANGO_SETTINGS_MODULE=survey_platform.settings.scaled
export SECRET_KEY=$(cat "$STATE/secret_key")
[ -f "$STATE/answer_code_key" ] || $PY -c 'import secrets; print(secrets.token_urlsafe(50))' >"$STATE/answer_code_key"
export ANSWER_CODE_KEY=$(cat "$STATE/answer_code_key")
export ALLOWED_HOSTS="$HOST,localhost,127.0.0.1"
export DATABASE_URL="postgres://survey@127.0.0.1:$PGPORT/survey"
export TASKS_BACKEND=rq REDIS_URL="redis://127.0.0.1:$REDISPORT/0"
export LOG_FORMAT=json MEDIA_ROOT="$STATE/media" STATIC_ROOT="$STATE/static"
export DB_CONN_MAX_AGE=60 EMAIL_BACKEND=${EMAIL_BACKEND:-console}

$PY manage.py migrate --noinput >/dev/null
$PY manage.py collectstatic --noinput >/dev/null
echo "Loading the demo network and simulated waves (first time: a minute or two)..."
$PY manage.py seed_demo --base-url "http://$HOST:$PORT" >"$STATE/logs/seed.log"

for i in 0 1; do
  # The repository's gunicorn config: the private access log (docs/deploy.md).
  .venv/bin/gunicorn -c survey_platform/gunicorn_conf.py survey_platform.wsgi \
    --bind "$HOST:$((PORT + i))" --workers "$WEB_WORKERS" \
    --access-logfile "$STATE/logs/web$i.access.log" --error-logfile "$STATE/logs/web$i.log" &
  PIDS+=($!)
done
for i in 1 2; do
  $PY manage.py rqworker --job-class django_tasks_rq.Job --name "worker$i-$$" default \
    >"$STATE/logs/worker$i.log" 2>&1 &
  PIDS+=($!)
done
(while sleep 60; do $PY manage.py reap_jobs >>"$STATE/logs/reaper.log" 2>&1 || true; done) &
PIDS+=($!)

for _ in $(seq 1 60); do
  curl -fsS "http://$HOST:$PORT/healthz" >/dev/null 2>&1 && break; sleep 1
done
cat <<TXT

  科技工作者状况调查平台 — scaled profile (PostgreSQL + Redis/RQ, 2 web + 2 workers)
  ----------------------------------------------------------------------------------
  Web 1:      http://$HOST:$PORT/
  Web 2:      http://$HOST:$((PORT + 1))/
  Health:     http://$HOST:$PORT/healthz  -> $(curl -sS "http://$HOST:$PORT/healthz" 2>/dev/null || echo unreachable)
  Database:   $DATABASE_URL
  Queue:      $REDIS_URL (2 RQ workers, logs in var/scaled/logs/)
TXT
sed -n '2,$p' "$STATE/logs/seed.log"
echo
echo "  Stop with Ctrl-C."
wait "${PIDS[0]}"
