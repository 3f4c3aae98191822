"""`rasa` with Sésame's runtime patches: what the stack (and production) runs instead of `rasa`.

``python -m bot.rasa_server run ...`` takes the same arguments as ``rasa``. It installs the
patches of ``bot.patches`` (each checks the versions it was written for; ``SESAME_PATCHES=off``
installs none and runs Rasa as shipped), then hands over to Rasa's own command line.

TensorFlow's oneDNN kernels are switched off (``TF_ENABLE_ONEDNN_OPTS=0``, unless the
environment says otherwise; it must be set before TensorFlow is imported): on DIET's
small matrices they cost about 1 ms of a 5 ms parse here, and the plain kernels give
the same predictions to within float rounding (tests/patches/test_fast_load.py compares
this server's predictions with Rasa's, which keeps oneDNN).
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import sys  # noqa: E402 - TensorFlow must see the setting above when it is imported


def install() -> None:
    """Install every runtime patch that fits the installed versions (bot.patches)."""
    from bot import patches

    patches.install()


def main() -> None:
    from rasa.__main__ import main as rasa_main

    install()
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
