"""Drives one interactive bash session on a pseudo-terminal, line by line, for the tutorial test.

Input (stdin): JSON {"lines": [{"text": "...", "inside": bool}], "timeout": seconds, "cwd": dir}.
Output (stdout): JSON list of {"text", "status", "output"} — status is the shell's $? after an
outer line (None for lines typed inside a container). A line typed inside waits for the inner
shell's prompt (`# ` or `$ ` at the end of the output); an outer line waits for our own prompt.
"""
import json, os, pty, re, select, sys, time

req = json.load(sys.stdin)
MARK = "__GANTRY_TUTORIAL_PROMPT__"
pid, fd = pty.fork()
if pid == 0:
    os.chdir(req["cwd"])
    env = dict(os.environ, PS1=MARK + "$?__ ", PS2="", TERM="xterm", HISTFILE="/dev/null")
    os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)

buf = b""
def read_until(pattern, timeout):
    global buf
    deadline = time.time() + timeout
    rx = re.compile(pattern)
    while True:
        m = rx.search(buf.decode("utf-8", "replace"))
        if m:
            text = buf.decode("utf-8", "replace")
            out, rest = text[:m.start()], text[m.end():]
            buf = rest.encode()
            return out, m
        left = deadline - time.time()
        if left <= 0:
            raise TimeoutError(buf.decode("utf-8", "replace")[-2000:])
        r, _, _ = select.select([fd], [], [], min(left, 1.0))
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise EOFError(buf.decode("utf-8", "replace")[-2000:])
            buf += chunk

results = []
timeout = req.get("timeout", 600)
try:
    read_until(re.escape(MARK) + r"(\d+)__ ", 30)
    os.write(fd, b"stty -echo\n")
    read_until(re.escape(MARK) + r"(\d+)__ ", 30)
    for line in req["lines"]:
        os.write(fd, (line["text"] + "\n").encode())
        if line["inside"] or line.get("enter"):
            # Typed into a container's shell, or the line that starts it: wait for its prompt.
            out, _ = read_until(r"(?:[#$] $)|(" + re.escape(MARK) + r"(\d+)__ )", timeout)
            results.append({"text": line["text"], "status": None, "output": out})
        else:
            # After an `exit` typed inside, the container's end returns us to our prompt.
            out, m = read_until(re.escape(MARK) + r"(\d+)__ ", timeout)
            results.append({"text": line["text"], "status": int(m.group(1)), "output": out})
except (TimeoutError, EOFError) as e:
    results.append({"text": "<driver>", "status": -1, "output": "%s: %s" % (type(e).__name__, e)})
try:
    os.write(fd, b"exit\n")
except OSError:
    pass
json.dump(results, sys.stdout)
