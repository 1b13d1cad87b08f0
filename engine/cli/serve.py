"""``dtrun serve``: the tables over HTTP on this machine (``engine.serve``), started by uvicorn."""

from __future__ import annotations

import ipaddress

import click

from engine.cli.support import DICTIONARY, EXIT_USAGE, HIT_POLICY, fail, guarded

_LOOPBACK = ("localhost",)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but this machine's own is reachable from the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--max-records", type=click.IntRange(1), default=10_000, show_default=True,
              help="The most records one request may evaluate (413 past it).")
@click.option("--max-body", type=click.IntRange(1), default=16 * 1024 * 1024, show_default=True,
              help="The most bytes one request may carry (413 past it).")
@click.option("--watch", is_flag=True,
              help="Reload the files when they change on disk (all of them or none: a file that cannot be "
                   "loaded is reported on the pages and the models loaded before stay served).")
@click.option("--patients", type=click.Path(exists=True, dir_okay=False), default=None, metavar="FILE",
              help="A patient file (CSV, Parquet, an Excel sheet) whose population view each model's page "
                   "/m/NAME/population shows; without it, the page takes a file sent from its form.")
@DICTIONARY
@HIT_POLICY
def serve(paths: tuple[str, ...], host: str, port: int, max_records: int, max_body: int, watch: bool,
          patients: str | None, dictionary: str | None, hit_policy: str | None) -> None:
    """Serve workbooks and DMN models (or every one in folders): web pages at / (each
    workbook with its findings and tests, a patient form, the population of a patient file,
    two versions compared at /diff?a=OLD&b=NEW) and a JSON API: GET /api/tables,
    GET /api/lint, POST /api/evaluate, POST /api/explain, POST /api/reload; the OpenAPI
    document at /openapi.json (docs/serve.md).

    \b
    Exit status:
      0  stopped (Ctrl-C)
      2  usage error, or the serve extra is not installed
      3  a workbook cannot be used (every problem listed)
    """
    try:
        import uvicorn

        from engine.serve import create_app
    except ImportError as error:
        fail(f"error: dtrun serve needs the serve extra ({error}); install it with pip install 'dtrun[serve]'",
             EXIT_USAGE)
    from engine.formats import paths as model_paths
    from engine.serve import Models, Watcher

    if not model_paths(paths):
        fail(f"error: no .xlsx workbook or .dmn model found in {', '.join(paths)}", EXIT_USAGE)
    models = guarded(lambda: Models(paths, dictionary, hit_policy))
    if not _loopback(host):
        click.echo(f"warning: listening on {host}, so other machines can reach these tables and evaluate "
                   "records; nothing here checks who asks. Use --host 127.0.0.1 unless that is meant", err=True)
    names = ", ".join(s.name for s in models.all())
    click.echo(f"dtrun: serving {names} on http://{host}:{port}/ (the API: /openapi.json; "
               f"{'reloaded when the files change; ' if watch else ''}Ctrl-C stops)", err=True)
    if patients:
        pages = ", ".join(f"http://{host}:{port}/m/{s.name}/population" for s in models.all())
        click.echo(f"dtrun: the population of {patients}: {pages}", err=True)
    if watch:
        Watcher(models).start()
    uvicorn.run(create_app(models, max_records, max_body, patients), host=host, port=port, log_level="warning")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in _LOOPBACK
