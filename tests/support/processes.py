"""Run the product's own commands as real processes and read what they print."""

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


class RunningCommand:
    """A child process whose combined output is collected line by line in the background."""

    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            list(argv),
            env={**os.environ, **env},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.new_lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        """Collect output until the process closes it."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self.new_lines.put(line)

    def wait_for(self, text: str, *, timeout: float = 30.0) -> None:
        """Block until a line containing `text` is printed, or fail with the output so far."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.process.poll() is not None and self.new_lines.empty():
                break
            try:
                self.new_lines.get(timeout=0.1)
            except queue.Empty:
                continue
        output = "\n".join(self.lines)
        msg = f"{text!r} not printed within {timeout}s; output:\n{output}"
        raise AssertionError(msg)

    def interrupt(self, *, timeout: float = 30.0) -> int:
        """Send SIGINT (Ctrl-C) and return the exit code."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=timeout)
        self.finish()
        return code

    def exit_code(self, *, timeout: float = 30.0) -> int:
        """Wait for the process to end by itself and return its exit code."""
        code = self.process.wait(timeout=timeout)
        self.finish()
        return code

    def kill(self) -> None:
        """SIGKILL the process if it still runs, and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.finish()

    def finish(self) -> None:
        """Read the remaining output and close the pipe."""
        self.reader.join(timeout=5)
        if self.process.stdout is not None and not self.process.stdout.closed:
            self.process.stdout.close()
