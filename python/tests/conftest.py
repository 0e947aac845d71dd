# SPDX-License-Identifier: MIT
"""Shared fixtures: where the golden vectors are, and optional torch."""
import os
import pathlib

import pytest

HERE = pathlib.Path(__file__).resolve().parent
GOLDEN = pathlib.Path(os.environ.get("CLRESAMPLE_GOLDEN", HERE.parent.parent / "tests" / "golden"))


@pytest.fixture(scope="session")
def golden_dir():
    if not (GOLDEN / "interpolate.txt").is_file():
        pytest.skip(f"no golden vectors at {GOLDEN} (set CLRESAMPLE_GOLDEN)")
    return GOLDEN
