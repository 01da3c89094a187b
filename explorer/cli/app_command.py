"""`explorer app`: serve the Streamlit dashboard as a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from explorer.cli.common import (
    app,
    out,
)


# --- app -------------------------------------------------------------------------
@app.command("app")
def run_app(
    port: Annotated[int, typer.Option(help="Port for the dashboard.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to bind; 127.0.0.1 keeps it local.")]
    = "127.0.0.1",
) -> None:
    """Serve the Streamlit dashboard on http://HOST:PORT.

    Example: explorer app --port 8502
    """
    entry = Path(__file__).parent.parent / "app" / "main.py"  # explorer/app/main.py
    command = [
        sys.executable, "-m", "streamlit", "run", str(entry),
        "--server.address", host, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        # Analysts get no "Deploy" button or developer menu.
        "--client.toolbarMode", "viewer",
    ]
    out.print(f"Dashboard on http://{host}:{port} (Ctrl-C to stop)")
    raise typer.Exit(_run_child(command))


def _run_child(command: list[str]) -> int:
    """Run the dashboard server as a child that never outlives this process: SIGTERM,
    SIGINT and SIGHUP are passed on to it and it is waited for (killed after 10 s);
    if this process dies without a signal handler running (SIGKILL), Linux sends the
    child SIGTERM (PR_SET_PDEATHSIG)."""
    import signal

    child = subprocess.Popen(command, env={**os.environ}, preexec_fn=_die_with_parent)
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    # Short waits, not one long one: a signal that arrives during a wait must still
    # start the 10 s grace period (a wait begun before it would never time out).
    deadline: float | None = None
    while True:
        try:
            code = child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            if received and deadline is None:
                deadline = time.monotonic() + 10
            if deadline is not None and time.monotonic() > deadline:
                child.kill()
    # A child killed by a signal reports -signum; shells say 128 + signum.
    return 128 - code if code < 0 else code


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the parent dies."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


