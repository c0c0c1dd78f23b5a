"""The channels Đồng hành knows: one module each, listed here.

Adding a channel is a new module that defines a `bot.channels.contract.Channel` subclass and exposes an
instance as `CHANNEL`, plus its line in `CHANNEL_MODULES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from bot.channels.contract import Channel

if TYPE_CHECKING:
    from tickets.demo.seed import DemoChannels

CHANNEL_MODULES = (
    "bot.channels.telegram",
    "bot.channels.zalo",
    "bot.channels.webchat",
    "bot.channels.terminal",
    "bot.rasa.channel",
)


class Registry:
    """The channels, in order."""

    def __init__(self, channels: Iterable[Channel]) -> None:
        self._channels: dict[str, Channel] = {}
        for channel in channels:
            if channel.code in self._channels:
                raise ValueError(f"two channels with the code {channel.code!r}")
            self._channels[channel.code] = channel

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._channels.values())

    def with_channel(self, channel: Channel) -> Registry:
        """This registry and one more channel (how a test plugs in a channel of its own)."""
        return Registry([*self, channel])

    def labels(self) -> dict[str, str]:
        return {channel.code: channel.label for channel in self}

    def text_limits(self) -> dict[str, int]:
        return {channel.code: channel.text_limit for channel in self}

    def identifies_user(self, code: str) -> bool:
        return code in self._channels and self._channels[code].identifies_user

    def demo_channels(self) -> DemoChannels:
        """The channels of the demo data: those with a share, and which of them identify the business."""
        from tickets.demo.seed import DemoChannels

        return DemoChannels(
            shares={channel.code: channel.demo_share for channel in self if channel.demo_share},
            identifies=frozenset(channel.code for channel in self if channel.identifies_user),
        )


def default_registry() -> Registry:
    """The registry of `CHANNEL_MODULES`."""
    return Registry(importlib.import_module(name).CHANNEL for name in CHANNEL_MODULES)
