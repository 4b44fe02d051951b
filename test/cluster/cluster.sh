#!/usr/bin/env bash
# A real Slurm (munged + slurmctld + slurmd) behind a real OpenSSH server on 127.0.0.1:2222,
# for the cluster tests. Run as root. Everything lives in <repo>/.test-runs/cluster/.
#   cluster.sh start    start whatever is not running yet (idempotent), wait until the node is idle
#   cluster.sh stop     cancel all jobs, stop the daemons we started, leave nothing running
#   cluster.sh status   print what is running
#   cluster.sh run CMD [ARGS...]
#                       run CMD with the cluster up, holding a lock so that two users (the cluster
#                       tests, the benchmark) never share or stop it under each other; stops the
#                       cluster afterwards if it was not running before
# Debian packages: munge slurmctld slurmd slurm-client openssh-server
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"
RUN="$REPO/.test-runs/cluster"
TEST_USER="thunderci"
SSH_PORT="${THUNDER_CLUSTER_SSH_PORT:-2222}"
NODE_NAME="$(hostname -s)"
MUNGE_SOCKET="/run/munge/munge.socket.2"
# The slurm.conf the test user's commands read; a copy outside the repo when the repo is not
# readable by other users (e.g. checked out under /root).
CLIENT_CONF_FALLBACK_DIR="/run/thunder-test-cluster"

# munged runs as the munge user and must reach its key; outside the repo if the repo is private.
munge_dir() {
  if runuser -u munge -- test -x "$REPO" 2>/dev/null; then
    printf '%s' "$RUN/munge"
  else
    printf '%s' "$CLIENT_CONF_FALLBACK_DIR/munge"
  fi
}

declare -A DAEMON_EXE=(
  [munged]=/usr/sbin/munged
  [slurmctld]=/usr/sbin/slurmctld
  [slurmd]=/usr/sbin/slurmd
  [sshd]=/usr/sbin/sshd
)
# Start order; stop goes in reverse.
DAEMONS=(munged slurmctld slurmd sshd)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

pid_file() { printf '%s/pids/%s.pid' "$RUN" "$1"; }

# Prints the recorded PID of a daemon if that process is still the daemon we started.
running_pid() {
  local name="$1" file pid exe
  file="$(pid_file "$name")"
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  # A binary replaced by an upgrade shows as "<path> (deleted)".
  [[ "${exe% (deleted)}" == "$(readlink -f "${DAEMON_EXE[$name]}")" ]] || return 1
  printf '%s' "$pid"
}

# Daemons write their own pid file and delete it on exit: copy the PID into our record.
record_pid_from() {
  local name="$1" daemon_pid_file="$2" i
  for ((i = 0; i < 100; i++)); do
    if [[ -s "$daemon_pid_file" ]]; then
      tr -d ' \n' <"$daemon_pid_file" >"$(pid_file "$name")"
      if running_pid "$name" >/dev/null; then return 0; fi
    fi
    sleep 0.05
  done
  die "$name did not start; see its log in $RUN"
}

# True while the process exists and is not a zombie (PID 1 here may be slow to reap daemons).
process_alive() {
  local state
  state="$(sed -n 's/^[0-9]* (.*) \([A-Z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z ]]
}

stop_daemon() {
  local name="$1" pid i
  if ! pid="$(running_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  if [[ "$name" == sshd ]]; then
    # Session processes outlive the listener: end the ones forked by our sshd, by PID.
    local child
    for child in $(pgrep -P "$pid" || true); do kill -TERM "$child" 2>/dev/null || true; done
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    process_alive "$pid" || break
    sleep 0.05
  done
  if process_alive "$pid"; then
    log "$name ($pid) ignored SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  log "stopped $name ($pid)"
}

require_packages() {
  local exe missing=()
  for exe in "${DAEMON_EXE[@]}" /usr/bin/sbatch /usr/bin/squeue /usr/bin/sinfo /usr/bin/ssh-keygen; do
    [[ -x "$exe" ]] || missing+=("$exe")
  done
  if ((${#missing[@]})); then
    die "missing ${missing[*]}; install: apt-get install --no-install-recommends munge slurmctld slurmd slurm-client openssh-server"
  fi
  [[ "$(id -u)" == 0 ]] || die "run as root (it starts munged, slurmctld, slurmd and sshd)"
}

prepare_user() {
  if ! id "$TEST_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$TEST_USER"
  fi
  # useradd locks the account with "!", which makes sshd refuse even key logins.
  usermod -p '*' "$TEST_USER"
}

prepare_files() {
  mkdir -p "$RUN"/{pids,slurm/state,slurm/spool,ssh,client}
  chmod 755 "$RUN" "$RUN/slurm" "$RUN/ssh"
  local munge
  munge="$(munge_dir)"
  mkdir -p "$munge"
  chmod 755 "$(dirname "$munge")"
  chown munge:munge "$munge"
  chmod 700 "$munge"
  if [[ ! -s "$munge/munge.key" ]]; then
    dd if=/dev/urandom of="$munge/munge.key" bs=1024 count=1 status=none
  fi
  chown munge:munge "$munge/munge.key"
  chmod 400 "$munge/munge.key"

  [[ -s "$RUN/ssh/ssh_host_ed25519_key" ]] ||
    ssh-keygen -q -t ed25519 -N '' -C thunder-test-host -f "$RUN/ssh/ssh_host_ed25519_key"
  # The authorised client key, a second key the server does not know, and a passphrase-protected one.
  [[ -s "$RUN/client/id_ed25519" ]] ||
    ssh-keygen -q -t ed25519 -N '' -C thunderci-test -f "$RUN/client/id_ed25519"
  [[ -s "$RUN/client/wrong_ed25519" ]] ||
    ssh-keygen -q -t ed25519 -N '' -C not-authorised -f "$RUN/client/wrong_ed25519"
  [[ -s "$RUN/client/passphrase_ed25519" ]] ||
    ssh-keygen -q -t ed25519 -N 'correct horse' -C thunderci-passphrase -f "$RUN/client/passphrase_ed25519"
  # In the test user's own ~/.ssh as on a real cluster: sshd's StrictModes refuses key files below a
  # world-writable folder (a checkout under /tmp, say).
  local home
  home="$(getent passwd "$TEST_USER" | cut -d: -f6)"
  install -d -m 700 -o "$TEST_USER" -g "$TEST_USER" "$home/.ssh"
  cat "$RUN/client/id_ed25519.pub" "$RUN/client/passphrase_ed25519.pub" >"$home/.ssh/authorized_keys"
  chown "$TEST_USER:$TEST_USER" "$home/.ssh/authorized_keys"
  chmod 600 "$home/.ssh/authorized_keys"

  write_slurm_conf
  write_sshd_config
  write_connection_info
}

write_slurm_conf() {
  local cpus memory
  cpus="$(slurmd -C | sed -n 's/.*CPUs=\([0-9]*\).*/\1/p')"
  memory="$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')"
  # Keep RealMemory below what slurmd measures, or the node is drained as "Low RealMemory".
  memory=$((memory * 9 / 10))
  cat >"$RUN/slurm/slurm.conf" <<CONF
ClusterName=thundertest
SlurmctldHost=$NODE_NAME(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
ReturnToService=2
MinJobAge=300
StateSaveLocation=$RUN/slurm/state
SlurmdSpoolDir=$RUN/slurm/spool
SlurmctldPidFile=$RUN/slurm/slurmctld.pid
SlurmdPidFile=$RUN/slurm/slurmd.pid
SlurmctldLogFile=$RUN/slurm/slurmctld.log
SlurmdLogFile=$RUN/slurm/slurmd.log
NodeName=$NODE_NAME NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$NODE_NAME Default=YES MaxTime=INFINITE State=UP
CONF
  chmod 644 "$RUN/slurm/slurm.conf"
}

# The path the test user's Slurm commands read slurm.conf from.
client_conf_path() {
  if runuser -u "$TEST_USER" -- test -r "$RUN/slurm/slurm.conf"; then
    printf '%s' "$RUN/slurm/slurm.conf"
  else
    mkdir -p "$CLIENT_CONF_FALLBACK_DIR"
    cp "$RUN/slurm/slurm.conf" "$CLIENT_CONF_FALLBACK_DIR/slurm.conf"
    chmod 755 "$CLIENT_CONF_FALLBACK_DIR"
    chmod 644 "$CLIENT_CONF_FALLBACK_DIR/slurm.conf"
    printf '%s' "$CLIENT_CONF_FALLBACK_DIR/slurm.conf"
  fi
}

write_sshd_config() {
  cat >"$RUN/ssh/sshd_config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $RUN/ssh/ssh_host_ed25519_key
PidFile $RUN/ssh/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $TEST_USER
UsePAM no
PrintMotd no
MaxSessions 64
MaxStartups 200:30:400
LogLevel VERBOSE
SetEnv SLURM_CONF=$(client_conf_path)
Subsystem sftp internal-sftp
CONF
}

write_connection_info() {
  local host_key
  host_key="$(cut -d' ' -f1,2 "$RUN/ssh/ssh_host_ed25519_key.pub")"
  cat >"$RUN/cluster.json" <<JSON
{
  "host": "127.0.0.1",
  "port": $SSH_PORT,
  "username": "$TEST_USER",
  "privateKeyPath": "$RUN/client/id_ed25519",
  "wrongKeyPath": "$RUN/client/wrong_ed25519",
  "passphraseKeyPath": "$RUN/client/passphrase_ed25519",
  "passphrase": "correct horse",
  "hostPublicKey": "$host_key",
  "slurmConf": "$RUN/slurm/slurm.conf",
  "partition": "debug",
  "nodeName": "$NODE_NAME"
}
JSON
}

start_munged() {
  running_pid munged >/dev/null && return 0
  local munge
  munge="$(munge_dir)"
  mkdir -p /run/munge
  chown munge:munge /run/munge
  chmod 755 /run/munge
  rm -f "$munge/munged.pid"
  runuser -u munge -- /usr/sbin/munged --key-file="$munge/munge.key" \
    --log-file="$munge/munged.log" --pid-file="$munge/munged.pid" \
    --seed-file="$munge/munged.seed" --socket="$MUNGE_SOCKET" --force 9>&-
  record_pid_from munged "$munge/munged.pid"
  log "munged running ($(<"$(pid_file munged)"))"
}

start_slurmctld() {
  running_pid slurmctld >/dev/null && return 0
  rm -f "$RUN/slurm/slurmctld.pid"
  # -c: start from a clean job state; jobs of an earlier run are not wanted.
  /usr/sbin/slurmctld -c -f "$RUN/slurm/slurm.conf" 9>&-
  record_pid_from slurmctld "$RUN/slurm/slurmctld.pid"
  log "slurmctld running ($(<"$(pid_file slurmctld)"))"
}

start_slurmd() {
  running_pid slurmd >/dev/null && return 0
  rm -f "$RUN/slurm/slurmd.pid"
  /usr/sbin/slurmd -f "$RUN/slurm/slurm.conf" 9>&-
  record_pid_from slurmd "$RUN/slurm/slurmd.pid"
  log "slurmd running ($(<"$(pid_file slurmd)"))"
}

start_sshd() {
  running_pid sshd >/dev/null && return 0
  mkdir -p /run/sshd
  chmod 755 /run/sshd
  rm -f "$RUN/ssh/sshd.pid"
  /usr/sbin/sshd -t -f "$RUN/ssh/sshd_config" || die "sshd rejected $RUN/ssh/sshd_config"
  # Absolute -f/-E paths: with relative ones sshd re-executes itself elsewhere and resets every connection.
  /usr/sbin/sshd -f "$RUN/ssh/sshd_config" -E "$RUN/ssh/sshd.log" 9>&-
  record_pid_from sshd "$RUN/ssh/sshd.pid"
  log "sshd listening on 127.0.0.1:$SSH_PORT ($(<"$(pid_file sshd)"))"
}

wait_for_idle_node() {
  local i state=""
  for ((i = 0; i < 300; i++)); do
    state="$(sinfo -h -n "$NODE_NAME" -o %T 2>/dev/null || true)"
    if [[ "$state" == idle || "$state" == mixed || "$state" == allocated ]]; then
      log "node $NODE_NAME is $state"
      return 0
    fi
    sleep 0.1
  done
  die "node $NODE_NAME did not become idle (state: ${state:-none}); see $RUN/slurm/*.log"
}

cancel_all_jobs() {
  running_pid slurmctld >/dev/null || return 0
  local jobs
  jobs="$(squeue -h -o %A 2>/dev/null | sort -u || true)"
  [[ -n "$jobs" ]] || return 0
  # shellcheck disable=SC2086 # job ids are plain numbers, one per word
  scancel $jobs 2>/dev/null || true
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -z "$(squeue -h -t running,completing -o %A 2>/dev/null || true)" ]] && break
    sleep 0.1
  done
  log "cancelled jobs: $(echo $jobs)"
}

cmd_start() {
  require_packages
  prepare_user
  prepare_files
  export SLURM_CONF="$RUN/slurm/slurm.conf"
  start_munged
  start_slurmctld
  start_slurmd
  wait_for_idle_node
  start_sshd
  log "ready: ssh -i $RUN/client/id_ed25519 -p $SSH_PORT $TEST_USER@127.0.0.1"
}

cmd_stop() {
  [[ "$(id -u)" == 0 ]] || die "run as root"
  export SLURM_CONF="$RUN/slurm/slurm.conf"
  [[ -d "$RUN" ]] || return 0
  cancel_all_jobs
  local i
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do stop_daemon "${DAEMONS[$i]}"; done
  rm -rf "$CLIENT_CONF_FALLBACK_DIR"
}

cmd_status() {
  local name pid all_running=0
  for name in "${DAEMONS[@]}"; do
    if pid="$(running_pid "$name")"; then
      printf '%-10s running (%s)\n' "$name" "$pid"
    else
      printf '%-10s stopped\n' "$name"
      all_running=1
    fi
  done
  if running_pid slurmctld >/dev/null; then
    printf 'node       %s\n' "$(SLURM_CONF="$RUN/slurm/slurm.conf" sinfo -h -o '%n %T' 2>/dev/null || echo unknown)"
  fi
  return "$all_running"
}

cmd_run() {
  (($#)) || die "usage: $0 run COMMAND [ARGS...]"
  mkdir -p "$RUN"
  local lock="$RUN/run.lock"
  # fd 9 holds the lock; daemons and the command are started with it closed.
  exec 9>"$lock"
  if ! flock -n 9; then
    log "waiting for another user of the test cluster to finish ($lock)"
    flock -w 1800 9 || die "the test cluster stayed busy for 30 minutes ($lock)"
  fi
  if ! cmd_status >/dev/null 2>&1; then
    trap 'cmd_stop' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
  cmd_start
  local status=0
  "$@" 9>&- || status=$?
  if ((status != 0)); then
    log "state after the failed command:"
    cmd_status >&2 || true
  fi
  return "$status"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
run)
  shift
  cmd_run "$@"
  ;;
*)
  echo "usage: $0 start|stop|status|run COMMAND [ARGS...]" >&2
  exit 2
  ;;
esac
