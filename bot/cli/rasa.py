"""`donghanh rasa-actions`, `rasa-export` and `rasa-import`: Đồng hành as the back end of a Rasa assistant."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import common


@click.command("rasa-actions")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5055, show_default=True, type=int)
def rasa_actions(host: str, port: int) -> None:
    """Serve the Rasa custom actions (rasa-sdk) over our knowledge base and tickets."""
    from bot.bootstrap import build_services
    from bot.rasa.actions import serve
    from tickets.storage.migrate import current_revision, head_revision

    services = build_services(common.current_settings())
    if current_revision(services.database) != head_revision():
        raise click.ClickException("Cơ sở dữ liệu chưa ở phiên bản mới nhất: chạy `donghanh db upgrade` trước.")
    services.warm_up()  # before the first action, not during it
    click.echo(f"Rasa actions on http://{host}:{port}/webhook (database: {services.database.backend})")
    serve(services, host=host, port=port)


@click.command("rasa-export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--action-server",
    default="http://127.0.0.1:5055/webhook",
    show_default=True,
    help="URL of `donghanh rasa-actions`.",
)
@click.option(
    "--epochs", default=100, show_default=True, type=click.IntRange(1, 1000), help="DIETClassifier training epochs."
)
def rasa_export(out_dir: Path, action_server: str, epochs: int) -> None:
    """Write a complete Rasa 3.x project (domain, NLU data, rules, stories, config, endpoints, credentials)."""
    from bot.rasa.project import Settings, export
    from knowledge.catalog import load_catalog
    from nlu.dataset import load_examples

    catalog = load_catalog()
    settings = Settings(action_server_url=action_server, classifier_epochs=epochs, policy_epochs=max(1, epochs // 2))
    for path in export(
        out_dir, examples=load_examples(topics=tuple(catalog.topics)), catalog=catalog, settings=settings
    ):
        click.echo(path)


@click.command("rasa-import")
@click.argument("nlu_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--map", "mappings", multiple=True, metavar="RASA=OURS", help="Read a Rasa intent as ours, e.g. hoi_thue=ask_thue."
)
def rasa_import(nlu_file: Path, mappings: tuple[str, ...]) -> None:
    """Merge a Rasa NLU file's examples into the training data, reporting intents that match nothing."""
    from bot.rasa.nlu_import import merge
    from knowledge.catalog import load_catalog

    mapping = {}
    for item in mappings:
        rasa, _, ours = item.partition("=")
        if not rasa or not ours:
            raise click.BadParameter(
                f"«{item}»: cần dạng TEN_RASA=ask_<chủ đề> hoặc TEN_RASA=<ý định>", param_hint="--map"
            )
        mapping[rasa.strip()] = ours.strip()
    try:
        report = merge(nlu_file, topics=tuple(load_catalog().topics), mapping=mapping)
    except (ValueError, OSError) as error:
        raise click.ClickException(str(error)) from None
    for line in report.lines():
        click.echo(line)
