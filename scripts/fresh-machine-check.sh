#!/usr/bin/env bash
# Proves the README's Quick start on a fresh Debian or Ubuntu: builds a minimal root with
# `debootstrap --variant=minbase SUITE` (default bookworm, Debian 12; trixie is Debian 13, noble Ubuntu
# 24.04), binds the host's CUDA toolkit into it read-only at /usr/local/cuda (as a user's GPU machine has
# it), copies the committed tree (git archive REV, default HEAD) into it, and runs the README's first
# command there with chroot. It fails unless
#   1. that command succeeds (the build, then the seed experiment),
#   2. `convbench --version` shows the GPU backend built in (when the host has a CUDA toolkit),
#   3. a small verified run exits 0 and says "verify ok", and
#   4. with --ctest, the test suite of that build passes in the root (CTest; the tests whose tools the
#      Quick start does not install, Slurm, MPI and Chromium, say they are skipped);
#   5. with --test-sh, the README's second command (scripts/test.sh: it installs those tools, then runs the
#      sanitizer, fuzz, oneDNN 3.x and Release suites) succeeds in the root.
# It also prints the compiler warnings of that build, if any. Everything the project needs must come from
# its own scripts: the root starts with nothing but minbase, the package sources (a Debian root gets the
# host's, with the host's release name replaced by SUITE's; an Ubuntu root gets archive.ubuntu.com's main
# and universe, as an Ubuntu install has them), apt's settings, the host's CA certificates and pip's
# certificate setting.
#
# Usage (as root): scripts/fresh-machine-check.sh [--suite SUITE] [--ctest] [--test-sh] [REV]
#   CONVBENCH_FRESH_CACHE  where the pristine root is cached as a tarball (default /var/cache/convbench-fresh)
#   CUDA_HOME              the toolkit to bind (default /usr/local/cuda); absent: the CPU-only build is checked
# An Ubuntu SUITE is bootstrapped with the Ubuntu archive's signing key, taken from the suite's
# ubuntu-keyring package and used only when its fingerprint is the one pinned below.
# Safety: every mount is undone, and checked to be gone, before the root is deleted; a root that still has
# a mount inside it is left in place with a message, never deleted. Deletion stays on one file system.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
suite=bookworm
ctest=0
test_sh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --suite)
      [ -n "${2:-}" ] || { echo "fresh-machine: --suite needs a release name, such as trixie or noble" >&2; exit 2; }
      suite=$2
      shift 2 ;;
    --ctest) ctest=1; shift ;;
    --test-sh) test_sh=1; shift ;;
    -*) echo "fresh-machine: unknown option '$1'; see the usage at the top of $0" >&2; exit 2 ;;
    *) break ;;
  esac
done
rev=${1:-HEAD}
debian_mirror=http://deb.debian.org/debian
ubuntu_mirror=http://archive.ubuntu.com/ubuntu
# "Ubuntu Archive Automatic Signing Key (2018) <ftpmaster@ubuntu.com>", which signs every current release.
ubuntu_key=F6ECB3762474EDA9D21B7022871920D1991BC93C
cache=${CONVBENCH_FRESH_CACHE:-/var/cache/convbench-fresh}
cuda_home=${CUDA_HOME:-/usr/local/cuda}
say() { echo "fresh-machine: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount and chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing; run scripts/setup.sh --for-tests"
git -C "$repo" rev-parse --verify -q "$rev^{commit}" >/dev/null || die "'$rev' is not a commit of $repo"

# Which distribution SUITE belongs to: the archive that has it.
has_release() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30)' "$1/dists/$suite/Release" 2>/dev/null; }
if has_release "$debian_mirror"; then
  distro=debian mirror=$debian_mirror
elif has_release "$ubuntu_mirror"; then
  distro=ubuntu mirror=$ubuntu_mirror
else
  die "neither $debian_mirror nor $ubuntu_mirror has a release '$suite' (or neither can be reached)"
fi

# ubuntu_keyring DIR: writes DIR/ubuntu-archive.gpg holding only the pinned Ubuntu archive key, taken from
# SUITE's ubuntu-keyring package (fetched unverified, so the pinned fingerprint is what is trusted).
ubuntu_keyring() {
  local dir=$1 deb
  deb=$(python3 - "$mirror" "$suite" <<'PY'
import lzma, sys, urllib.request
mirror, suite = sys.argv[1:]
index = lzma.decompress(urllib.request.urlopen(f"{mirror}/dists/{suite}/main/binary-amd64/Packages.xz", timeout=60).read())
for stanza in index.decode().split("\n\n"):
    fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
    if fields.get("Package") == "ubuntu-keyring":
        print(fields["Filename"])
        break
PY
  ) && [ -n "$deb" ] || return 1
  python3 -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=60).read())' \
    "$mirror/$deb" "$dir/keyring.deb" && dpkg-deb -x "$dir/keyring.deb" "$dir/x" || return 1
  mkdir -m 700 "$dir/gnupg"
  gpg --quiet --homedir "$dir/gnupg" --import "$dir/x/usr/share/keyrings/ubuntu-archive-keyring.gpg" 2>/dev/null &&
    gpg --quiet --homedir "$dir/gnupg" --export "$ubuntu_key" >"$dir/ubuntu-archive.gpg" && [ -s "$dir/ubuntu-archive.gpg" ]
}

# 1. The pristine minbase root, cached as a tarball outside the repository.
pristine=$cache/$suite-minbase.tar
if [ ! -s "$pristine" ]; then
  say "debootstrap --variant=minbase $suite (cached in $pristine afterwards)"
  mkdir -p "$cache"
  boot=$(mktemp -d "$cache/boot.XXXXXX") && chmod 755 "$boot"
  t0=$(date +%s)
  boot_args=(--variant=minbase)
  if [ "$distro" = ubuntu ]; then
    keys=$(mktemp -d)
    ubuntu_keyring "$keys" || { rm -rf "$keys" "$boot"; die "no Ubuntu archive key with the fingerprint $ubuntu_key in $suite's ubuntu-keyring package"; }
    boot_args+=(--components=main,universe --keyring="$keys/ubuntu-archive.gpg")
    # This host's debootstrap may predate SUITE; every Ubuntu release since 7.10 uses the same script.
    [ -e "/usr/share/debootstrap/scripts/$suite" ] || script=/usr/share/debootstrap/scripts/gutsy
  fi
  debootstrap "${boot_args[@]}" "$suite" "$boot" "$mirror" ${script:-} >"$boot.log" 2>&1 ||
    { tail -n 20 "$boot.log" >&2; rm -rf --one-file-system "$boot" "${keys:-}"; die "debootstrap failed"; }
  rm -rf "${keys:-}"
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
chmod 755 "$fs"  # / as on a machine (the tarball's top came from mktemp -d, 700): users other than root need it

# 2. What may come from the host: package sources (a Debian root: the same mirrors, for SUITE), apt's
# settings for them, CA certificates, pip's cert setting, the resolver (and, in step 3, the host's
# name). Nothing else.
rm -f "$fs/etc/apt/sources.list" "$fs"/etc/apt/sources.list.d/*
if [ "$distro" = ubuntu ]; then
  for pocket in "$suite" "$suite-updates" "$suite-security"; do echo "deb $mirror $pocket main universe"; done \
    >"$fs/etc/apt/sources.list"
else
  host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$host_suite" ] || die "/etc/os-release names no release (VERSION_CODENAME), so the host's package sources cannot be carried over"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # bookworm, bookworm-updates, bookworm-security -> the same for SUITE
    sed -E "s/\\b$host_suite\\b/$suite/g" "$f" >"$fs$f"
  done
fi
for f in /etc/apt/apt.conf.d/99*; do [ -f "$f" ] && cp "$f" "$fs/etc/apt/apt.conf.d/"; done
mkdir -p "$fs/usr/local/share/ca-certificates" "$fs/etc/ssl/certs"
cp -a /usr/local/share/ca-certificates/. "$fs/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$fs/etc/ssl/certs/" 2>/dev/null || true
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$fs/etc/"
cp -L /etc/resolv.conf "$fs/etc/resolv.conf"

# 3. /proc, /sys and /dev/pts as a real machine has them (the tests open pseudo-terminals), an /etc/hosts
# that names this machine as an installed Debian or Ubuntu has one, and the CUDA toolkit read-only.
mount -t proc proc "$fs/proc"
mkdir -p "$fs/sys" && mount -t sysfs sysfs "$fs/sys"
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$(hostname)" >"$fs/etc/hosts"
mkdir -p "$fs/dev/pts" && mount --bind /dev/pts "$fs/dev/pts"
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
# quick_start N: the Nth command of README.md's Quick start (the line after its Nth ```sh).
quick_start() { awk -v n="$1" '/^## Quick start/ { q = 1 } q && /^```sh/ && ++seen == n { getline; print; exit }' "$fs/root/convbench/README.md"; }
first=$(quick_start 1)
[ -n "$first" ] || die "no command found in README.md's Quick start"
# "N skipped: G GPU tests, then the others by name" from a CTest log's per-test lines.
skipped() {
  awk '/\*\*\*Skipped/ { sub(/.*Test +#[0-9]+: +/, ""); n++; if ($1 ~ /^Cudnn\./) g++; else o = o (o ? ", " : "") $1 }
       END { printf "%d skipped", n; if (n) printf ": %d GPU tests%s", g, o ? ", " o : "" }' "$1"
}
in_root() {
  chroot "$fs" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "cd /root/convbench && $1"
}
say "running the Quick start's first command: $first"
t0=$(date +%s%N)
in_root "$first" >"$work/first.log" 2>&1 || { tail -n 40 "$work/first.log" >&2; die "the Quick start's first command failed"; }
elapsed_s=$((($(date +%s%N) - t0) / 1000000000))
grep -q "cpu: verify ok" "$work/first.log" || { cat "$work/first.log" >&2; die "the seed run did not verify"; }
warnings=$(grep -E -c ':[0-9]+:[0-9]+: warning: ' "$work/first.log" || true)
[ "$warnings" = 0 ] || { say "the build printed $warnings compiler warnings:"; grep -E -A3 ':[0-9]+:[0-9]+: warning: ' "$work/first.log" >&2; }

version=$(in_root "./build/convbench --version") || die "convbench --version failed"
if [ "$gpu_expected" = 1 ]; then
  grep -q "built against cuDNN" <<<"$version" || { echo "$version" >&2; die "the GPU backend is not built in"; }
fi
small=$(in_root "./build/convbench --batch 2 --input 12x12x4 --filter 8x3x3 --runs 3 --seed 7 2>&1") ||
  { echo "$small" >&2; die "a small run failed"; }
grep -q "cpu: verify ok" <<<"$small" || { echo "$small" >&2; die "a small run did not verify"; }

tested=""
if [ "$ctest" = 1 ]; then
  t0=$(date +%s)
  in_root "cd build && ctest -j $(nproc) --output-on-failure" >"$work/ctest.log" 2>&1 ||
    { grep -E -A25 '\*\*\*Failed|\(Failed\)|tests failed' "$work/ctest.log" | tail -n 80 >&2; die "the test suite failed in the fresh root"; }
  tested="; its test suite passed there ($(grep -E 'tests passed' "$work/ctest.log"), $(skipped "$work/ctest.log"), $(($(date +%s) - t0)) s)"
fi

if [ "$test_sh" = 1 ]; then
  # The README's second command, exactly as the Quick start shows it. Chromium needs a /dev/shm.
  second=$(quick_start 2)
  [ -n "$second" ] || die "no second command found in README.md's Quick start"
  mkdir -p "$fs/dev/shm" && mount -t tmpfs -o mode=1777 shm "$fs/dev/shm"
  say "running the Quick start's second command: $second"
  t0=$(date +%s)
  in_root "$second" >"$work/second.log" 2>&1 ||
    { tail -n 80 "$work/second.log" >&2; die "the Quick start's second command failed in the fresh root"; }
  tested="$tested; its second command passed there (the Release suite: $(grep -E 'tests passed' "$work/second.log" | tail -n 1), $(skipped "$work/second.log"), $(($(date +%s) - t0)) s)"
  grep -E '^(asan|oneDNN|== fuzz|Done [0-9]+ runs)' "$work/second.log" | sed 's/^/fresh-machine:   /' >&2 || true
fi

say "PASSED: the Quick start's first command built and ran convbench on a fresh $(. "$fs/etc/os-release" && echo "$PRETTY_NAME") root in $elapsed_s s$tested"
echo "$version" | sed 's/^/fresh-machine:   /' >&2
