# Sourced by the launcher tests (slurm_fleet.sh, mpi_fleet.sh). expect_rank2_flagged BIN NAME OUT FILES...:
# `convbench fleet` over FILES, four tasks expected, must exit 19 and flag exactly rank 2 (its table goes to
# stdout, and to OUT/fleet.txt); otherwise calls the sourcing script's fail with NAME.
expect_rank2_flagged() {
  local bin=$1 name=$2 out=$3 code
  shift 3
  "$bin" fleet "$@" --expect-nodes 4 >"$out/fleet.txt" 2>"$out/fleet.log"
  code=$?
  cat "$out/fleet.txt"
  [ "$code" = 19 ] || fail "$name: fleet exited $code, not 19"
  [ "$(grep -c STRAGGLER "$out/fleet.txt")" = 1 ] || fail "$name: not exactly one straggler"
  grep STRAGGLER "$out/fleet.txt" | grep -q ":2 " || fail "$name: the straggler is not rank 2"
}
