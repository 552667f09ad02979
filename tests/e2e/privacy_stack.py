"""The real server for the privacy tests: `python -m uvicorn server:app --log-config FILE` (JSON logs with
redaction, written to a file we can scan), the real assistant on a built index, Slack pointed at FakeSlack.
Everything listens on 127.0.0.1 and is stopped at the end."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.logging_setup import dict_config
from tests.conftest import REPO_ROOT
from tests.e2e.servers import clean_env, free_port, wait_until_ready
from tests.e2e.slack_stack import CHANNEL, SECRET, STAFF_TOKEN
from tests.fake_slack import BOT_TOKEN, FakeSlack


@dataclass
class LoggedServer:
    base_url: str
    log_path: Path
    database_url: str
    process: subprocess.Popen[bytes]

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8").splitlines() if self.log_path.exists() else []


@contextmanager
def logged_server(work: Path, index_dir: Path, slack: FakeSlack | None = None,
                  extra_env: Mapping[str, str] | None = None, level: str = "DEBUG") -> Iterator[LoggedServer]:
    log_path, config_path = work / "server.jsonl", work / "logging.json"
    config_path.write_text(json.dumps(dict_config(level, log_path)), encoding="utf-8")
    database_url = f"sqlite:///{work / 'ipo.sqlite3'}"
    env = {"IPO_DATA_DIR": str(index_dir), "IPO_DATABASE_URL": database_url, "IPO_LOG_LEVEL": level,
           "IPO_RATE_LIMIT_PER_MINUTE_IP": "5000", "IPO_RATE_LIMIT_PER_MINUTE_CONVERSATION": "500",
           "IPO_STAFF_TOKEN": STAFF_TOKEN, **(extra_env or {})}
    if slack is not None:
        env.update({"IPO_SLACK_BOT_TOKEN": BOT_TOKEN, "IPO_SLACK_SIGNING_SECRET": SECRET,
                    "IPO_SLACK_CHANNEL": CHANNEL, "IPO_SLACK_API_URL": slack.base_url})
    port = free_port()
    with (work / "stdout.log").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-config", str(config_path)], cwd=REPO_ROOT, env=clean_env(env), stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(f"http://127.0.0.1:{port}", 240, process)
            yield LoggedServer(f"http://127.0.0.1:{port}", log_path, database_url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
