"""``python -m bot [http|socket|console]``: validate settings, load the model once, serve.

Without a mode: HTTP if any Slack credential is set, else the console. Every failure a user can
cause (settings, model, Socket Mode connection) ends in one ``error:`` paragraph and exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.settings import MODES, Settings, SettingsError, load_settings, read_environment

log = logging.getLogger("bot")

EXIT_USAGE = 2


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Slack sentiment bot. HTTP mode serves POST /slack/events and GET /healthz "
        "on $PORT; socket mode connects with SLACK_APP_TOKEN; console mode (the default when no "
        "Slack credentials are set) answers lines from stdin.",
    )
    parser.add_argument("mode", nargs="?", default="auto", choices=MODES, help="default: auto")
    return parser.parse_args(argv)


def _load_classifier(settings: Settings):
    import model

    return model.load(settings.model_dir)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    env = read_environment()
    try:
        settings = load_settings(args.mode, env)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE

    from bot.logs import setup_logging

    level = settings.log_level
    if settings.mode == "console" and not env.get("LOG_LEVEL"):
        level = "WARNING"  # keep the console's stderr to the intro and real problems
    setup_logging(level, settings.secrets)

    import model

    try:
        if settings.mode == "console":
            return _console(settings)
        if settings.mode == "socket":
            from bot import socket_mode

            try:
                socket_mode.run(settings, lambda: _load_classifier(settings))
            except socket_mode.SocketModeError as error:
                print(f"error: {error}", file=sys.stderr)
                return EXIT_USAGE
            return 0
        from bot import server

        server.serve(settings, lambda: _load_classifier(settings))
        return 0
    except model.ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        if settings.mode == "http" and error.errno in (98, 48, 10048):  # EADDRINUSE
            print(f"error: port {settings.port} is already in use; set PORT", file=sys.stderr)
            return EXIT_USAGE
        raise
    except KeyboardInterrupt:
        return 130


def _console(settings: Settings) -> int:
    from bot import console
    from bot.analysis import Analyzer

    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    classifier = _load_classifier(settings)
    analyzer = Analyzer(classifier, settings.confidence_threshold)
    return console.run(analyzer, sys.stdin, sys.stdout, sys.stderr, interactive=sys.stdin.isatty())


if __name__ == "__main__":
    sys.exit(main())
