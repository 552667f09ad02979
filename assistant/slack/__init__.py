"""The Slack edge of the staff handoff: bolt app, listeners, Block Kit formatting, the outbox worker."""

from __future__ import annotations

from .http import install_slack
from .runtime import Handoff, start_handoff

__all__ = ["Handoff", "install_slack", "start_handoff"]
