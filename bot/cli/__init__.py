"""The `donghanh` command: one group, its commands in the modules of this package by concern."""

from __future__ import annotations

import click

from bot.cli import content, database, dialogues, knowledge, model, nlu, operations, rasa, reports, server


@click.group()
def main() -> None:
    """Đồng hành: dialogue and issue-resolution assistant for Ho Chi Minh City businesses."""


for command in (
    server.serve,
    server.chat,
    database.db,
    model.model,
    nlu.nlu,
    knowledge.ask,
    knowledge.kb,
    operations.outbox,
    operations.users,
    reports.report,
    reports.demo,
    dialogues.dialogue,
    content.content,
    rasa.rasa_actions,
    rasa.rasa_export,
    rasa.rasa_import,
):
    main.add_command(command)
