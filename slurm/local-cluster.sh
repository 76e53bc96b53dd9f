#!/usr/bin/env bash
# Single-node Slurm test cluster for chiprace (issue #7).
#
#   slurm/local-cluster.sh start    install packages if needed, start munged,
#                                   slurmctld and slurmd, wait until usable
#   slurm/local-cluster.sh stop     stop the daemons this script started
#   slurm/local-cluster.sh status   daemon PIDs + sinfo; exit 0 if all up, 3 if not
#
# Everything (slurm.conf, cgroup.conf, state, spool, logs, PID files) lives in
# ${CHIPRACE_SLURM_DIR:-/tmp/chiprace-slurm} (ports: CHIPRACE_SLURMCTLD_PORT,
# CHIPRACE_SLURMD_PORT; ready timeout: CHIPRACE_SLURM_TIMEOUT). Nothing under /etc/slurm is used:
# the client tools find the cluster through SLURM_CONF=<dir>/slurm.conf, which
# `start` and `status` print. See slurm/README.md ("Local test cluster").
set -euo pipefail

DIR="${CHIPRACE_SLURM_DIR:-/tmp/chiprace-slurm}"
CONF="$DIR/slurm.conf"
LOGDIR="$DIR/log"
CTLD_PIDFILE="$DIR/slurmctld.pid"
SLURMD_PIDFILE="$DIR/slurmd.pid"
MUNGED_PIDFILE="$DIR/munged.pid"       # written by us, only if we started munged
MUNGE_SYS_PIDFILE=/run/munge/munged.pid
MUNGE_KEY=/etc/munge/munge.key
READY_TIMEOUT="${CHIPRACE_SLURM_TIMEOUT:-30}"   # seconds
CTLD_PORT="${CHIPRACE_SLURMCTLD_PORT:-6817}"     # Slurm's default ports; change both
SLURMD_PORT="${CHIPRACE_SLURMD_PORT:-6818}"      # to run a second cluster beside this one
PACKAGES=(slurmctld slurmd slurm-client munge slurm-wlm-basic-plugins libpmix-dev)
NODE="$(hostname -s)"

log() { printf 'local-cluster: %s\n' "$*"; }
die() { printf 'local-cluster: error: %s\n' "$*" >&2; exit 1; }

# An exited daemon can stay a zombie for a moment (it was reparented to PID 1).
is_zombie() { [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" == Z ]]; }

# PID from a pid file if that process is alive and is the expected program
# (guards against a stale file whose PID was reused by something else).
live_pid() { # pidfile comm
    local f="$1" comm="$2" pid
    [[ -r "$f" ]] || return 1
    pid="$(tr -dc '0-9' <"$f")"
    [[ -n "$pid" ]] || return 1
    [[ -r "/proc/$pid/comm" ]] || return 1
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm" ]] || return 1
    ! is_zombie "$pid" || return 1
    printf '%s\n' "$pid"
}

conf_line() { printf 'export SLURM_CONF=%s\n' "$CONF"; }

# ---------------------------------------------------------------- packages
missing_packages() {
    local p st
    for p in "${PACKAGES[@]}"; do
        st="$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)"
        [[ "$st" == ii* ]] || printf '%s\n' "$p"
    done
}

ensure_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} == 0)) && return 0
    if ((EUID != 0)); then
        printf 'local-cluster: error: missing Debian packages: %s\n' "${missing[*]}" >&2
        printf 'local-cluster: install them as root:\n  apt-get install -y %s\n' "${missing[*]}" >&2
        exit 1
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$DIR/apt.log" 2>&1 ||
        { tail -n 30 "$DIR/apt.log" >&2; die "apt-get install failed (full log: $DIR/apt.log)"; }
    local still
    still="$(missing_packages | tr '\n' ' ')"
    [[ -z "$still" ]] || die "packages still missing after apt-get: $still"
}

# ---------------------------------------------------------------- munge
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
    local pid
    if pid="$(live_pid "$MUNGED_PIDFILE" munged)"; then
        log "munged already running (pid $pid)"
        return 0
    fi
    rm -f "$MUNGED_PIDFILE"
    if munge_ok; then
        # Somebody else's munged (e.g. the system's): use it, never stop it.
        log "using an already running munged (not started by this script; stop leaves it alone)"
        return 0
    fi
    if [[ ! -s "$MUNGE_KEY" ]]; then
        log "creating munge key $MUNGE_KEY"
        install -d -o munge -g munge -m 0700 "$(dirname "$MUNGE_KEY")"
        if command -v mungekey >/dev/null; then
            runuser -u munge -- mungekey --create --keyfile="$MUNGE_KEY"
        else
            dd if=/dev/urandom bs=1 count=1024 of="$MUNGE_KEY" status=none
            chown munge:munge "$MUNGE_KEY"
        fi
        chmod 0400 "$MUNGE_KEY"
    fi
    install -d -o munge -g munge -m 0755 /run/munge
    rm -f "$MUNGE_SYS_PIDFILE"   # so that the PID read below is the new one
    runuser -u munge -- /usr/sbin/munged
    local i
    for ((i = 0; i < 50; i++)); do
        if pid="$(live_pid "$MUNGE_SYS_PIDFILE" munged)" && munge_ok; then
            printf '%s\n' "$pid" >"$MUNGED_PIDFILE"
            log "munged started (pid $pid)"
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 /var/log/munge/munged.log 2>/dev/null >&2 || true
    die "munged did not come up"
}

# ---------------------------------------------------------------- config
write_config() {
    local cpus=4 mem
    # 97% of the memory slurmd detects; more than the real memory drains the node (INVAL).
    mem="$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -n1)"
    [[ -n "$mem" ]] || die "could not read RealMemory from 'slurmd -C'"
    mem=$((mem * 97 / 100))

    cat >"$CONF" <<EOF
# Generated by slurm/local-cluster.sh -- single-node test cluster. Do not edit:
# 'local-cluster.sh start' rewrites it whenever the Slurm daemons are down.
ClusterName=chiprace
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge

StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$CTLD_PIDFILE
SlurmdPidFile=$SLURMD_PIDFILE
SlurmctldLogFile=$LOGDIR/slurmctld.log
SlurmdLogFile=$LOGDIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOGDIR/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
EnforcePartLimits=ALL
ReturnToService=2
MailProg=/bin/true
SchedulerParameters=batch_sched_delay=0
MinJobAge=3600

# CPUs=4 on a 2-core machine: config_overrides makes slurmd trust this line
# instead of the detected hardware, so 4 tasks can run.
SlurmdParameters=config_overrides
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    # cgroup.conf is read from the directory of slurm.conf. Without it slurmd dies
    # ("No filesystem mounted on /sys/fs/cgroup"); cgroup/v2 fails on this hybrid layout.
    cat >"$DIR/cgroup.conf" <<EOF
# Generated by slurm/local-cluster.sh
CgroupPlugin=cgroup/v1
EOF
}

# ---------------------------------------------------------------- slurm
node_state() { SLURM_CONF="$CONF" sinfo -h -n "$NODE" -o '%t' 2>/dev/null | head -n1; }

print_log_tails() {
    local f
    for f in "$LOGDIR/slurmctld.log" "$LOGDIR/slurmd.log" "$LOGDIR/slurmctld.out" "$LOGDIR/slurmd.out"; do
        [[ -s "$f" ]] || continue
        printf '\n==> %s (last 25 lines) <==\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

# Fail early if another process (another cluster?) listens on a port we need.
check_port_free() { # port daemon envvar
    command -v ss >/dev/null || return 0
    local users
    users="$(ss -Hltnp "sport = :$1" 2>/dev/null || true)"
    [[ -z "$users" ]] && return 0
    printf '%s\n' "$users" >&2
    die "TCP port $1 (for $2) is already in use: another Slurm cluster? stop it, or set $3"
}

# Start one Slurm daemon; it daemonizes itself and writes its PID file.
start_daemon() { # name pidfile cmd...
    local name="$1" pidfile="$2" pid i
    shift 2
    rm -f "$pidfile"
    "$@" >"$LOGDIR/$name.out" 2>&1 </dev/null ||
        { print_log_tails; die "$name failed to start"; }
    for ((i = 0; i < 100; i++)); do
        if pid="$(live_pid "$pidfile" "$name")"; then
            log "$name started (pid $pid)"
            return 0
        fi
        sleep 0.1
    done
    print_log_tails
    die "$name did not write its PID file $pidfile"
}

cmd_start() {
    local t0 ctld_pid="" slurmd_pid="" munged_pid=""
    ctld_pid="$(live_pid "$CTLD_PIDFILE" slurmctld || true)"
    slurmd_pid="$(live_pid "$SLURMD_PIDFILE" slurmd || true)"
    munged_pid="$(live_pid "$MUNGED_PIDFILE" munged || true)"
    if [[ -n "$ctld_pid" && -n "$slurmd_pid" ]] && munge_ok; then
        log "already running (slurmctld $ctld_pid, slurmd $slurmd_pid${munged_pid:+, munged $munged_pid}) in $DIR"
        conf_line
        return 0
    fi

    mkdir -p "$DIR" "$DIR/state" "$DIR/spool" "$LOGDIR"
    ensure_packages
    t0="$(date +%s%N)"
    ((EUID == 0)) || die "start needs root (munged runs as user munge, slurmd as root)"

    [[ -n "$ctld_pid" ]] || check_port_free "$CTLD_PORT" slurmctld CHIPRACE_SLURMCTLD_PORT
    [[ -n "$slurmd_pid" ]] || check_port_free "$SLURMD_PORT" slurmd CHIPRACE_SLURMD_PORT
    start_munge
    if [[ -z "$ctld_pid" && -z "$slurmd_pid" ]]; then
        write_config
    fi
    # -c: clean start, so no old job or drain reason survives a restart.
    [[ -n "$ctld_pid" ]] || start_daemon slurmctld "$CTLD_PIDFILE" slurmctld -c -f "$CONF"
    [[ -n "$slurmd_pid" ]] || start_daemon slurmd "$SLURMD_PIDFILE" slurmd -f "$CONF" -N "$NODE"

    # Ready: node exactly "idle" (not "idle*" = not responding) and a step runs.
    local state="" deadline=$((SECONDS + READY_TIMEOUT))
    while ((SECONDS < deadline)); do
        state="$(node_state || true)"
        if [[ "$state" == idle ]] &&
            SLURM_CONF="$CONF" timeout 10 srun -N1 -n1 hostname >/dev/null 2>&1; then
            local ms=$((($(date +%s%N) - t0) / 1000000))
            log "ready $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s after starting the daemons: node $NODE idle, srun works"
            printf '\nFor sinfo/srun/sbatch/squeue/scancel/scontrol, set:\n  '
            conf_line
            return 0
        fi
        sleep 0.5
    done
    printf 'local-cluster: not ready after %s s (node state: %s)\n' "$READY_TIMEOUT" "${state:-unknown}" >&2
    SLURM_CONF="$CONF" sinfo -R >&2 2>&1 || true
    print_log_tails
    exit 1
}

# Send SIGTERM to a daemon by its recorded PID, wait for it to exit.
stop_pid() { # name pid
    local name="$1" pid="$2" i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        if [[ ! -d "/proc/$pid" ]] || is_zombie "$pid"; then
            log "$name stopped (pid $pid)"
            return 0
        fi
        sleep 0.1
    done
    log "$name (pid $pid) ignored SIGTERM for 15 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
}

cmd_stop() {
    local pid any=0 i
    if pid="$(live_pid "$CTLD_PIDFILE" slurmctld)"; then
        # Cancel leftover jobs so no slurmstepd/job processes outlive the cluster.
        local jobs
        jobs="$(SLURM_CONF="$CONF" timeout 10 squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ' || true)"
        if [[ -n "${jobs// /}" ]]; then
            log "cancelling jobs: $jobs"
            # shellcheck disable=SC2086
            SLURM_CONF="$CONF" timeout 10 scancel $jobs 2>/dev/null || true
            for ((i = 0; i < 100; i++)); do
                [[ -z "$(SLURM_CONF="$CONF" timeout 5 squeue -h -o '%A' 2>/dev/null || true)" ]] && break
                sleep 0.1
            done
        fi
    fi
    if pid="$(live_pid "$SLURMD_PIDFILE" slurmd)"; then stop_pid slurmd "$pid"; any=1; fi
    if pid="$(live_pid "$CTLD_PIDFILE" slurmctld)"; then stop_pid slurmctld "$pid"; any=1; fi
    if pid="$(live_pid "$MUNGED_PIDFILE" munged)"; then stop_pid munged "$pid"; any=1; fi
    rm -f "$MUNGED_PIDFILE"
    ((any)) || log "nothing running (state dir $DIR)"
    return 0
}

cmd_status() {
    local rc=0 pid
    if pid="$(live_pid "$MUNGED_PIDFILE" munged)"; then
        echo "munged:    running (pid $pid)"
    elif munge_ok; then
        echo "munged:    running (not started by this script)"
    else
        echo "munged:    not running"; rc=3
    fi
    if pid="$(live_pid "$CTLD_PIDFILE" slurmctld)"; then
        echo "slurmctld: running (pid $pid)"
    else
        echo "slurmctld: not running"; rc=3
    fi
    if pid="$(live_pid "$SLURMD_PIDFILE" slurmd)"; then
        echo "slurmd:    running (pid $pid)"
    else
        echo "slurmd:    not running"; rc=3
    fi
    echo "state dir: $DIR (logs in $LOGDIR)"
    if [[ -r "$CONF" ]] && command -v sinfo >/dev/null; then
        echo
        SLURM_CONF="$CONF" timeout 10 sinfo 2>&1 || rc=3
    fi
    echo
    conf_line
    return "$rc"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
    echo "usage: $0 start|stop|status   (state dir: \$CHIPRACE_SLURM_DIR, default /tmp/chiprace-slurm)" >&2
    exit 2
    ;;
esac
