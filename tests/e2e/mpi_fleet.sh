#!/usr/bin/env bash
# The README's MPI recipe through real launchers: MPICH's mpiexec (Hydra, which gives each task PMI_RANK)
# and Open MPI's mpirun (OMPI_COMM_WORLD_RANK and PMIX_RANK) each start four convbench tasks on this host,
# one of them on scripted backends 12% slower, writing a file each through {host}-{rank}; `convbench fleet`
# must flag exactly that task, and every record must carry its launcher's rank variable.
#
#   tests/e2e/mpi_fleet.sh CONVBENCH_BINARY
#
# Exit 77 (skipped, for CTest) when neither launcher is installed (scripts/setup.sh --for-tests installs
# both: the mpich and openmpi-bin packages).
set -uo pipefail
bin=${1:?usage: mpi_fleet.sh CONVBENCH_BINARY}
mpich=$(command -v mpiexec.mpich || command -v mpiexec.hydra || true)
openmpi=$(command -v mpirun.openmpi || true)
[ -n "$mpich$openmpi" ] || { echo "mpi_fleet: SKIP: neither MPICH's nor Open MPI's launcher is installed"; exit 77; }
dir=$(mktemp -d /tmp/convbench-mpi.XXXXXX)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/fleet_expect.sh"
fail() { echo "mpi_fleet: FAILED: $*"; for f in "$dir"/*/*.log; do [ -f "$f" ] && { echo "== $f"; tail -20 "$f"; }; done; exit 1; }

# one NAME RANK_VARIABLE LAUNCHER...: four tasks through LAUNCHER; rank 2's runs take 28 ms, the others' 25.
one() {
  local name=$1 var=$2 out=$dir/$1
  shift 2
  mkdir -p "$out"
  timeout 120 "$@" -n 4 bash -c '
    ms=25; [ "${!2}" = 2 ] && ms=28
    exec "$0" mb1ic3ih10oc4kh3 --seed 1 --runs 5 --debug-fake-backends $ms --format jsonl --quiet \
         --output "$1/r-{host}-{rank}.jsonl"' "$bin" "$out" "$var" >"$out/launch.log" 2>&1 ||
    fail "$name: the launcher failed"
  local files=("$out"/r-*.jsonl)
  [ ${#files[@]} = 4 ] || fail "$name: expected 4 result files, found ${#files[@]}"
  for r in 0 1 2 3; do
    [ -f "$out/r-$(hostname)-$r.jsonl" ] || fail "$name: no file for rank $r"
    grep -q "\"$var\":\"$r\"" "$out/r-$(hostname)-$r.jsonl" || fail "$name: rank $r's record lacks $var"
  done
  expect_rank2_flagged "$bin" "$name" "$out" "${files[@]}"
  echo "mpi_fleet: $name: fleet flagged rank 2 of 4 tasks"
}

[ -n "$mpich" ] && one mpich PMI_RANK "$mpich"
if [ -n "$openmpi" ]; then
  root=(); [ "$(id -u)" = 0 ] && root=(--allow-run-as-root)
  one openmpi OMPI_COMM_WORLD_RANK "$openmpi" "${root[@]}" --oversubscribe
fi
echo "mpi_fleet: passed"
