"""mkdocs hook: write the generated reference pages (CLI, scenario keys) before each build."""

from pathlib import Path


def on_pre_build(config, **_kwargs) -> None:
    from sim.docs_reference import write_pages

    write_pages(Path(config["docs_dir"]) / "reference")
