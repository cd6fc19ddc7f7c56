#!/usr/bin/env bash
# Proves the README's Quick start on a fresh Debian 12: builds a minimal root with
# `debootstrap --variant=minbase bookworm`, binds the host's CUDA toolkit into it read-only at
# /usr/local/cuda (as a user's GPU machine has it), copies the committed tree (git archive REV, default
# HEAD) into it, and runs the README's first command there with chroot. It fails unless
#   1. that command succeeds (the build, then the seed experiment),
#   2. `convbench --version` shows the GPU backend built in (when the host has a CUDA toolkit), and
#   3. a small verified run exits 0 and says "verify ok".
# Everything the project needs must come from its own scripts: the root starts with nothing but minbase,
# the host's package sources, its CA certificates and pip's certificate setting.
#
# Usage (as root): scripts/fresh-machine-check.sh [REV]
#   CONVBENCH_FRESH_CACHE  where the pristine root is cached as a tarball (default /var/cache/convbench-fresh)
#   CUDA_HOME              the toolkit to bind (default /usr/local/cuda); absent: the CPU-only build is checked
# Safety: every mount is undone, and checked to be gone, before the root is deleted; a root that still has
# a mount inside it is left in place with a message, never deleted. Deletion stays on one file system.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-HEAD}
cache=${CONVBENCH_FRESH_CACHE:-/var/cache/convbench-fresh}
cuda_home=${CUDA_HOME:-/usr/local/cuda}
say() { echo "fresh-machine: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount and chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing; run scripts/setup.sh --for-tests"
git -C "$repo" rev-parse --verify -q "$rev^{commit}" >/dev/null || die "'$rev' is not a commit of $repo"

# 1. The pristine minbase root, cached as a tarball outside the repository.
pristine=$cache/bookworm-minbase.tar
if [ ! -s "$pristine" ]; then
  say "debootstrap --variant=minbase bookworm (cached in $pristine afterwards)"
  mkdir -p "$cache"
  boot=$(mktemp -d "$cache/boot.XXXXXX")
  t0=$(date +%s)
  debootstrap --variant=minbase bookworm "$boot" http://deb.debian.org/debian >"$boot.log" 2>&1 ||
    { tail -n 20 "$boot.log" >&2; rm -rf --one-file-system "$boot"; die "debootstrap failed"; }
  tar -C "$boot" -cf "$pristine.partial" . && mv "$pristine.partial" "$pristine"
  rm -rf --one-file-system "$boot" "$boot.log"
  say "debootstrap took $(($(date +%s) - t0)) s"
fi

work=$(mktemp -d /var/tmp/convbench-fresh.XXXXXX)
fs=$work/root
mounts_inside() { awk -v p="$fs" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo; }
cleanup() {
  local m
  # Innermost first; a lazy unmount is the last resort for a busy mount.
  for m in $(mounts_inside | sort -r); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
  if [ -n "$(mounts_inside)" ]; then
    say "NOT deleting $work: still mounted inside it: $(mounts_inside | tr '\n' ' ')"
    return
  fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$fs"
tar -C "$fs" -xf "$pristine"

# 2. What may come from the host: package sources, apt's settings for them, CA certificates, pip's cert
# setting, the resolver. Nothing else.
rm -f "$fs/etc/apt/sources.list"
cp -a /etc/apt/sources.list.d/*.sources "$fs/etc/apt/sources.list.d/" 2>/dev/null || true
[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$fs/etc/apt/"
for f in /etc/apt/apt.conf.d/99*; do [ -f "$f" ] && cp "$f" "$fs/etc/apt/apt.conf.d/"; done
mkdir -p "$fs/usr/local/share/ca-certificates" "$fs/etc/ssl/certs"
cp -a /usr/local/share/ca-certificates/. "$fs/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$fs/etc/ssl/certs/" 2>/dev/null || true
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$fs/etc/"
cp -L /etc/resolv.conf "$fs/etc/resolv.conf"

# 3. /proc as a real machine has it, and the CUDA toolkit read-only.
mount -t proc proc "$fs/proc"
gpu_expected=0
if [ -f "$cuda_home/include/cuda_runtime.h" ]; then
  mkdir -p "$fs/usr/local/cuda"
  mount --bind "$(readlink -f "$cuda_home")" "$fs/usr/local/cuda"
  mount -o remount,bind,ro "$fs/usr/local/cuda"
  touch "$fs/usr/local/cuda/.rw-probe" 2>/dev/null && die "the CUDA toolkit bind is writable"
  gpu_expected=1
fi

# 4. The committed tree.
mkdir -p "$fs/root/convbench"
git -C "$repo" archive "$rev" | tar -x -C "$fs/root/convbench"

# 5. The README's first command, exactly as the Quick start shows it.
first=$(awk '/^## Quick start/ { q = 1 } q && /^```sh/ { getline; print; exit }' "$fs/root/convbench/README.md")
[ -n "$first" ] || die "no command found in README.md's Quick start"
in_root() {
  chroot "$fs" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "cd /root/convbench && $1"
}
say "running the Quick start's first command: $first"
t0=$(date +%s%N)
in_root "$first" >"$work/first.log" 2>&1 || { tail -n 40 "$work/first.log" >&2; die "the Quick start's first command failed"; }
elapsed_s=$((($(date +%s%N) - t0) / 1000000000))
grep -q "cpu: verify ok" "$work/first.log" || { cat "$work/first.log" >&2; die "the seed run did not verify"; }

version=$(in_root "./build/convbench --version") || die "convbench --version failed"
if [ "$gpu_expected" = 1 ]; then
  grep -q "built against cuDNN" <<<"$version" || { echo "$version" >&2; die "the GPU backend is not built in"; }
fi
small=$(in_root "./build/convbench --batch 2 --input 12x12x4 --filter 8x3x3 --runs 3 --seed 7 2>&1") ||
  { echo "$small" >&2; die "a small run failed"; }
grep -q "cpu: verify ok" <<<"$small" || { echo "$small" >&2; die "a small run did not verify"; }

say "PASSED: the Quick start's first command built and ran convbench on a fresh Debian 12 root in $elapsed_s s"
echo "$version" | sed 's/^/fresh-machine:   /' >&2
