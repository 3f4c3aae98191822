"""Command line: ``python -m actions.catalogue seed`` and ``python -m actions.catalogue import FILE…``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from actions.catalogue.importer import ImportFileError, ImportRejected, import_files
from actions.catalogue.seed import load_seed
from actions.common.db import make_engine
from actions.common.migrate import upgrade
from actions.common.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.catalogue")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or var/sesame.db)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("seed", help="load data/catalogue/*.yml (idempotent)")
    imp = sub.add_parser("import", help="import data·inclusion v1 JSON/CSV exports")
    imp.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)

    url = args.url or get_settings().database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        if args.command == "seed":
            report = load_seed(engine)
        else:
            report = import_files(args.files, engine)
    except ImportRejected as rejected:
        print(f"Import refusé : {rejected}.", file=sys.stderr)
        for error in rejected.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    except (ImportFileError, OSError) as exc:
        print(f"Import refusé : {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
