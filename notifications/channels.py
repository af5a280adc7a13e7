"""Where outgoing messages go: a small pluggable interface chosen by NOTIFICATION_CHANNEL.

A channel sends one message or raises; retries and bookkeeping are the caller's
(`notifications.services.deliveries_send`)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 5  # seconds; a slow gateway must not hold a worker for long


@dataclass(frozen=True)
class Message:
    phone: str
    text: str
    kind: str
    case_id: int | None


class ChannelError(Exception):
    pass


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None: ...


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


class LogChannel:
    """The default: each message goes to the log, nothing leaves the machine."""

    name = "log"

    def send(self, message: Message) -> None:
        # The number is masked: no plaintext phone number in any log.
        logger.info("notification to %s: %s", mask_phone(message.phone), message.text)


class WebhookChannel:
    """POSTs {"phone", "text", "kind", "case_id"} as JSON to an SMS or WeCom gateway."""

    name = "webhook"

    def __init__(self, url: str, token: str = "") -> None:
        self.url = url
        self.token = token

    def send(self, message: Message) -> None:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.url,
            data=json.dumps(asdict(message), ensure_ascii=False).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
                status = response.status
        except urllib.error.HTTPError as error:  # a non-2xx answer
            raise ChannelError(f"gateway answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:  # refused, timed out, DNS…
            raise ChannelError(f"gateway unreachable: {error}") from error
        if not 200 <= status < 300:
            raise ChannelError(f"gateway answered {status}")


def outgoing_channel_name() -> str:
    """The configured channel's name, or "" when outgoing messages are off."""
    name = settings.NOTIFICATION_CHANNEL
    return "" if name == "none" else name


def channel_named(name: str) -> Channel:
    if name == "webhook":
        return WebhookChannel(
            settings.NOTIFICATION_WEBHOOK_URL, settings.NOTIFICATION_WEBHOOK_TOKEN
        )
    if name == "log":
        return LogChannel()
    raise ChannelError(f"no channel named {name!r}")
