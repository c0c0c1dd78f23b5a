"""Rasa as a channel: a Rasa assistant's conversations reach the dialogue engine through the custom actions
(`bot.rasa.actions`), keyed by Rasa's sender id, so their tickets and statistics are those of any channel.
Rasa shows buttons itself; the action server is started by `donghanh rasa-actions`, not mounted on the app."""

from __future__ import annotations

from bot.channels.contract import Channel


class Rasa(Channel):
    code = "rasa"
    label = "Rasa"


CHANNEL = Rasa()
