#!/usr/bin/env bash
# The README's cluster recipe through a real Slurm: this test starts munged, slurmctld and slurmd on this
# host (a one-node cluster, in a temporary folder, on ports of its own), runs four convbench tasks with
# `srun`, one of them on scripted backends 12% slower, and checks that `convbench fleet` flags exactly that
# one. It stops every daemon it started, whatever happens.
#
#   tests/e2e/slurm_fleet.sh CONVBENCH_BINARY
#
# Exit 77 (skipped, for CTest) when Slurm or munge is not installed (scripts/setup.sh --for-tests installs
# them) or when not run as root (the daemons here run as root, with no cgroups). The daemons talk over
# 127.0.0.1, so the test does not depend on the host's name resolving; every wait has a deadline, so a
# cluster that does not come up, or a job that does not start, fails the test rather than hanging it.
set -uo pipefail
bin=${1:?usage: slurm_fleet.sh CONVBENCH_BINARY}
for tool in munged slurmctld slurmd srun sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm_fleet: SKIP: $tool is not installed"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "slurm_fleet: SKIP: the test's daemons run as root"; exit 77; }

dir=$(mktemp -d /tmp/convbench-slurm.XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "slurm_fleet: FAILED: $*"; for f in "$dir"/*.log; do echo "== $f"; tail -20 "$f"; done; exit 1; }

# munge, with a key and a socket of its own
dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge.key"
munged --force --foreground --key-file="$dir/munge.key" --socket="$dir/munge.sock" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge.seed" \
  >"$dir/munged.out.log" 2>&1 &
pids+=($!)

host=$(hostname -s)
port=$((20000 + RANDOM % 20000))
mkdir -p "$dir/state" "$dir/spool" "$dir/results"
cat >"$dir/slurm.conf" <<CONF
ClusterName=convbench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
# Slurm 24.11 (Debian 13) starts a cgroup plugin in slurmd whatever the proctrack and task plugins are, and
# fails without a cgroup file system; 'CgroupPlugin=disabled', known since 24.05, turns it off. Slurm
# 22.05 (Debian 12) and 23.11 (Ubuntu 24.04) refuse that value.
version=$(slurmd -V | awk '{ print $2 }')
if [ "$(printf '%s\n' "$version" 24.05 | sort -V | head -n 1)" = 24.05 ]; then
  echo "CgroupPlugin=disabled" >"$dir/cgroup.conf"
fi
export SLURM_CONF=$dir/slurm.conf
for _ in $(seq 50); do [ -S "$dir/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -i -f "$SLURM_CONF" >"$dir/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$dir/slurmd.out.log" 2>&1 &
slurmd_pid=$!
pids+=($slurmd_pid)
# Up within 30 s. One sinfo can itself take seconds when it cannot reach the controller, so the wait is
# bounded by time, not by a count of tries; a slurmd that has exited ends it at once.
up=0
deadline=$((SECONDS + 30))
while [ $SECONDS -lt $deadline ] && kill -0 "$slurmd_pid" 2>/dev/null; do
  timeout 10 sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && { up=1; break; }
  sleep 0.2
done
if [ $up = 0 ] && ! kill -0 "$slurmd_pid" 2>/dev/null; then
  # Slurm 23.11 cannot turn its cgroup plugin off: without a cgroup hierarchy it supports (a container's
  # mixed v1 and v2, or none), slurmd cannot start here, and the test cannot run.
  why=$(grep -m 1 -E '(error|fatal): .*(cgroup|Hybrid mode)' "$dir/slurmd.out.log")
  [ -n "$why" ] && { echo "slurm_fleet: SKIP: slurmd $version cannot start without cgroups this machine lacks: ${why#slurmd: }"; exit 77; }
  fail "slurmd exited"
fi
[ $up = 1 ] || fail "the one-node cluster did not come up within 30 s"

# The README's recipe: one task each, a file each through {job} and {rank}; rank 2's runs take 28 ms, the
# others' 25 ms (12% slower).
timeout 120 srun --ntasks=4 --overcommit --time=2 bash -c '
  ms=25; [ "$SLURM_PROCID" = 2 ] && ms=28
  exec "$0" mb1ic3ih10oc4kh3 --seed 1 --runs 5 --debug-fake-backends $ms --format jsonl --quiet \
       --output "$1/results/{job}-{rank}.jsonl"' "$bin" "$dir" >"$dir/srun.log" 2>&1 || fail "srun failed"
files=("$dir"/results/*.jsonl)
[ ${#files[@]} = 4 ] || fail "expected 4 result files, found ${#files[@]}"

source "$(dirname "$0")/fleet_expect.sh"
expect_rank2_flagged "$bin" srun "$dir" "${files[@]}"
grep -q '"SLURM_JOB_ID"' "${files[0]}" || fail "the records do not carry the Slurm job"
echo "slurm_fleet: passed: fleet flagged rank 2 of 4 tasks started by srun"
