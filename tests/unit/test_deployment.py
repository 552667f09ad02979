"""docker-compose.yml stays in step with the code: its IPO_* variables are real settings, and it runs the same
engines, with the same commands, as the scale-out tests start natively (tests/scaleout/services.py)."""

from __future__ import annotations

import yaml

from assistant.settings import Settings
from tests.conftest import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_every_ipo_variable_in_the_compose_file_is_a_setting() -> None:
    fields = {f"IPO_{name.upper()}" for name in Settings.model_fields}
    for name, service in COMPOSE["services"].items():
        for variable in service.get("environment", {}):
            assert not variable.startswith("IPO_") or variable in fields, (name, variable)
    example = (REPO_ROOT / "deploy.env.example").read_text(encoding="utf-8")
    for line in example.splitlines():
        variable = line.lstrip("# ").split("=", 1)[0]
        assert not variable.startswith("IPO_") or variable in fields | {"IPO_WORKERS"}, variable


def test_the_app_reaches_chroma_postgres_and_redis_through_the_settings() -> None:
    env = COMPOSE["services"]["app"]["environment"]
    assert env["IPO_CHROMA_URL"] == "http://chroma:8000"
    assert env["IPO_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["IPO_REDIS_URL"].startswith("redis://redis:")
    assert {"chroma", "postgres", "redis", "ingest"} <= set(COMPOSE["services"]["app"]["depends_on"])


def test_the_engines_run_as_the_tests_run_them() -> None:
    services = COMPOSE["services"]
    assert services["chroma"]["command"][:2] == ["chroma", "run"]
    assert services["redis"]["command"][:3] == ["redis-server", "--save", ""]
    assert services["postgres"]["image"].startswith("postgres:15")  # Debian 12's PostgreSQL in the tests
    assert "--workers" in services["app"]["command"]
