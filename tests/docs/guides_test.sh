#!/usr/bin/env bash
# Runs the commands of the user guides as a new user would (CTest docs.guides_test):
# docs/install.md, docs/snmp-guide.md and docs/service-owners.md. In each guide, every fenced block
# whose info string is `sh test` (or `sh test exit=N`) is run, in the guide's order, by one bash in a
# fresh temporary folder that holds links to the checkout's scripts/, config/ and tests/ and has
# SLAMON_BIN_DIR first on PATH (so `slamon`, `slamon-agent`, `slamon-collector` are the build's).
#   - `sh test`: every command must succeed (set -e);
#   - `sh test exit=N`: the block runs in a subshell and its exit status must be N;
#   - a line `# => TEXT` in a block: TEXT must occur in what that block printed (stdout and stderr),
#     so each output line and error message a guide quotes is checked against the real output.
# The ports a guide shows are replaced by free loopback ports before a block runs (7443: the
# collector's link, 8080: its HTTP API, 11161: the lab snmpd), in its commands and its `# =>` lines
# alike, so that tests running in parallel never clash. Background jobs a guide starts, and every
# process named by a *.pid file under the folder, are stopped at the end. Each guide is bounded in time.
#   SLAMON_BIN_DIR=build/bin SLAMON_SOURCE_DIR=. bash tests/docs/guides_test.sh [GUIDE.md ...]
set -uo pipefail
src=${SLAMON_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${SLAMON_BIN_DIR:-$src/build/bin}
bin=$(cd "$bin" && pwd)
for tool in slamon slamon-agent slamon-collector; do
  [ -x "$bin/$tool" ] || { echo "guides_test: $bin/$tool is not built" >&2; exit 1; }
done
command -v snmpd >/dev/null || { echo "guides_test: SKIP: snmpd is not installed (scripts/setup.sh installs it)"; exit 77; }
guides=("$@")
[ ${#guides[@]} -gt 0 ] || guides=("$src/docs/install.md" "$src/docs/snmp-guide.md" "$src/docs/service-owners.md")

work=$(mktemp -d /tmp/slamon-guides.XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0
for guide in "${guides[@]}"; do
  name=$(basename "$guide" .md)
  dir="$work/$name"
  mkdir -p "$dir"
  ln -s "$src/scripts" "$dir/scripts"
  ln -s "$src/config" "$dir/config"
  ln -s "$src/tests" "$dir/tests"
  # The script of the guide: its test blocks with markers, ports replaced (python: the extraction).
  if ! python3 - "$guide" "$dir/guide.sh" "$dir/expect.json" <<'PY'
import json, re, socket, sys

guide, script_path, expect_path = sys.argv[1:4]
text = open(guide, encoding="utf-8").read()

def free(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return str(port)

ports = {"7443": free(socket.SOCK_STREAM), "8080": free(socket.SOCK_STREAM), "11161": free(socket.SOCK_DGRAM)}
def subst(s):
    return re.sub(r"\b(7443|8080|11161)\b", lambda m: ports[m.group(1)], s)

blocks = []
for m in re.finditer(r"^```sh test(?: exit=(\d+))?[ \t]*\n(.*?)^```[ \t]*$", text, re.S | re.M):
    line = text.count("\n", 0, m.start()) + 1
    body = subst(m.group(2))
    expected = [l.split("# => ", 1)[1].rstrip() for l in body.splitlines() if l.lstrip().startswith("# => ")]
    blocks.append({"line": line, "exit": int(m.group(1) or 0), "body": body, "expect": expected})
if not blocks:
    sys.exit("%s: no ```sh test block" % guide)

out = ["set -eo pipefail", "cd \"$(dirname \"$0\")\"",
       "trap 'exit 143' TERM INT",
       "trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null' EXIT"]
for i, b in enumerate(blocks):
    out.append("printf '\\n@@block %d@@\\n'" % i)
    if b["exit"] == 0:
        out.append(b["body"])
    else:
        out.append("set +e\n(\n%s\n)\nrc=$?\nset -e\nprintf '\\n@@rc %%d@@\\n' \"$rc\"" % b["body"])
out.append("printf '\\n@@end@@\\n'")
open(script_path, "w").write("\n".join(out) + "\n")
json.dump(blocks, open(expect_path, "w"))
PY
  then
    failed=1; continue
  fi
  # Run it, bounded; then stop what it left running.
  (
    cd "$dir" || exit 1
    PATH="$bin:$PATH" timeout -k 5 150 bash guide.sh >"$dir/output.txt" 2>&1
    echo $? >"$dir/rc"
  )
  # (find does not follow the links to the checkout.) Only a process of this guide's folder is
  # stopped (its command line names the folder, or runs in it): a stale pid may belong to another.
  while IFS= read -r f; do
    pid=$(cat "$f" 2>/dev/null) || continue
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir" ||
       [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir" ]; then
      kill "$pid" 2>/dev/null || true
    fi
  done < <(find "$dir" -name '*.pid' 2>/dev/null)
  # Check: the script reached its end, every block's exit status, every `# =>` line in its block.
  if ! python3 - "$guide" "$dir/output.txt" "$dir/expect.json" "$(cat "$dir/rc")" <<'PY'
import json, re, sys
guide, output_path, expect_path, rc = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
output = open(output_path, encoding="utf-8", errors="replace").read()
blocks = json.load(open(expect_path))
parts = re.split(r"^@@block (\d+)@@\n", output, flags=re.M)
seen = {int(parts[i]): parts[i + 1] for i in range(1, len(parts), 2)}
problems = []
for i, b in enumerate(blocks):
    where = "%s:%d" % (guide, b["line"])
    if i not in seen:
        problems.append("%s: block not reached" % where)
        continue
    text = seen[i].split("@@end@@")[0]
    if b["exit"] != 0:
        m = re.search(r"^@@rc (\d+)@@$", text, re.M)
        if not m or int(m.group(1)) != b["exit"]:
            problems.append("%s: exit status %s, the guide says %d" % (where, m.group(1) if m else "?", b["exit"]))
    for e in b["expect"]:
        if e not in text:
            problems.append("%s: the output lacks the line the guide shows: %s" % (where, e))
if "@@end@@" not in output:
    last = max(seen) if seen else None
    problems.append("%s: the run stopped (exit %d) in the block at line %s" % (
        guide, rc, blocks[last]["line"] if last is not None else "?"))
if problems:
    print("\n".join(problems))
    print("---- output of %s ----" % guide)
    print(output[-6000:])
    sys.exit(1)
print("%s: %d blocks ran, %d output lines checked" % (guide, len(blocks), sum(len(b["expect"]) for b in blocks)))
PY
  then
    failed=1
  fi
done
exit "$failed"
