#!/usr/bin/env bash
# Tear down the single-node SLURM cluster started by cluster-up.sh.
#
#   cluster-down.sh [STATE_DIR]      (default: /tmp/toygan-slurm)
#
# Cancels remaining jobs, stops slurmd, slurmctld and munged by the pids in
# their pid files, restores /etc/slurm/slurm.conf and removes STATE_DIR.
# Safe to call when nothing is running or STATE_DIR does not exist.
set -euo pipefail

STATE=$(realpath -m "${1:-/tmp/toygan-slurm}")
CONF="$STATE/slurm.conf"
ETC_CONF=/etc/slurm/slurm.conf
ETC_BACKUP=/etc/slurm/slurm.conf.toygan-backup

log() { echo "cluster-down: $*" >&2; }

# Stop the process named in a pid file, but only if it still is the daemon we
# expect (pid files can be stale and pids get reused). TERM, then KILL.
stop_daemon() {
    local name=$1 pidfile=$2 pid
    [[ -s "$pidfile" ]] || return 0
    pid=$(cat "$pidfile")
    if [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]]; then
        rm -f "$pidfile"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    log "$name did not exit after 10 s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

# Running job steps (slurmstepd) outlive slurmd, so cancel jobs while the
# controller is still there and give them a moment to finish.
if [[ -s "$STATE/run/slurmctld.pid" ]] && kill -0 "$(cat "$STATE/run/slurmctld.pid")" 2>/dev/null; then
    export SLURM_CONF="$CONF"
    jobs=$(squeue -h -t PD,R,CG,S -o %i 2>/dev/null || true)
    if [[ -n "$jobs" ]]; then
        log "cancelling jobs: $(echo $jobs)"
        # shellcheck disable=SC2086
        scancel $jobs 2>/dev/null || true
        for _ in $(seq 20); do
            [[ -z "$(squeue -h -t PD,R,CG,S -o %i 2>/dev/null || true)" ]] && break
            sleep 0.5
        done
    fi
fi

stop_daemon slurmd "$STATE/run/slurmd.pid"
stop_daemon slurmctld "$STATE/run/slurmctld.pid"
stop_daemon munged "$STATE/run/munged.pid"

# Put the default config path back the way we found it.
if [[ -L "$ETC_CONF" && "$(readlink "$ETC_CONF")" == "$CONF" ]]; then
    rm -f "$ETC_CONF"
fi
if [[ ! -e "$ETC_CONF" && ! -L "$ETC_CONF" && ( -e "$ETC_BACKUP" || -L "$ETC_BACKUP" ) ]]; then
    log "restoring $ETC_CONF from $ETC_BACKUP"
    mv "$ETC_BACKUP" "$ETC_CONF"
fi

# Only delete directories that cluster-up.sh created (guards against typos like `/`).
if [[ -f "$STATE/.toygan-slurm" ]]; then
    rm -rf "$STATE"
elif [[ -e "$STATE" ]]; then
    log "$STATE was not created by cluster-up.sh; leaving it alone"
fi
log "done"
