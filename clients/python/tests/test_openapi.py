"""The OpenAPI document: valid, and a client generated from it by openapi-python-client works
against the daemon (create, read a running task, read the output, events, notifications)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate

from tend_client import Client

SMOKE = Path(__file__).resolve().parents[2] / "smoke" / "generated_python.py"


def test_the_document_is_valid_openapi(client: Client) -> None:
    document = client.openapi()
    validate(document)
    assert "CONTRACT.md" not in str(document)


def test_a_generated_python_client_works(client: Client, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(client.openapi()))
    config = tmp_path / "config.yaml"
    config.write_text("package_name_override: tend_generated\nproject_name_override: tend-generated\n")
    generator = shutil.which("openapi-python-client", path=os.path.dirname(sys.executable))
    assert generator, "openapi-python-client is not installed (scripts/setup-test-env.sh)"
    out = tmp_path / "generated"
    generated = subprocess.run(
        [generator, "generate", "--path", spec, "--output-path", out, "--config", config, "--meta", "none"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # With `--meta none` the package is the output directory itself.
    package = out if (out / "__init__.py").exists() else out / "tend_generated"
    (tmp_path / "pkg").mkdir()
    shutil.move(os.fspath(package), tmp_path / "pkg" / "tend_generated")
    smoke = subprocess.run(
        [sys.executable, SMOKE, os.fspath(client.socket)],
        env=dict(os.environ, PYTHONPATH=os.fspath(tmp_path / "pkg")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "generated python client: ok" in smoke.stdout
