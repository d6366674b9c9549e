"""`manage.py import_artifacts`: reading the file or stdin, the printed report, the exit status."""

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.importing import services
from catalog.models import Artifact

pytestmark = pytest.mark.django_db


def _line(slug: str, **fields) -> str:
    record = {"slug": slug, "name": slug.title(), "kind": "tool", "summary": "Does a thing."}
    return json.dumps({**record, **fields})


def _file(tmp_path: Path, *lines: str | bytes) -> str:
    path = tmp_path / "artifacts.jsonl"
    path.write_bytes(
        b"\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    )
    return str(path)


def _call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_artifacts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _call_failing(*args: str) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_artifacts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failure.value)


def test_command_prints_the_summary(tmp_path):
    path = _file(
        tmp_path, _line("one", links=[{"rel": "depends_on", "target": "two"}]), _line("two")
    )

    out, _ = _call(path)

    assert out == "created 2, updated 0, unchanged 0, links resolved 0\n"
    assert Artifact.objects.count() == 2


def test_command_counts_unchanged_records_on_a_second_run(tmp_path):
    path = _file(tmp_path, _line("one"), _line("two"))
    _call(path)

    out, _ = _call(path)

    assert out == "created 0, updated 0, unchanged 2, links resolved 0\n"


def test_command_prints_every_warning_as_line_path_message(tmp_path):
    path = _file(tmp_path, "# feed", _line("one", crawl_id=4))

    _, err = _call(path)

    assert "LINE 2: crawl_id: unknown field kept in extra\n" in err


def test_command_fails_listing_every_error_and_says_nothing_was_written(tmp_path):
    path = _file(tmp_path, _line("one"), "{broken", _line("three", kind="robot"))

    out, err, message = _call_failing(path)

    assert out == ""
    assert "LINE 2: (line): invalid JSON: " in err
    assert "LINE 3: kind: must be one of " in err
    assert "nothing was written" in message
    assert not Artifact.objects.exists()


def test_command_with_skip_invalid_imports_the_valid_records_and_still_fails(tmp_path):
    path = _file(tmp_path, _line("one"), _line("two", kind="robot"))

    out, err, message = _call_failing(path, "--skip-invalid")

    assert out == "created 1, updated 0, unchanged 0, links resolved 0, skipped invalid 1\n"
    assert "LINE 2: kind: must be one of " in err
    assert "nothing was written" not in message
    assert list(Artifact.objects.values_list("slug", flat=True)) == ["one"]


def test_command_reports_a_missing_file_without_a_traceback(tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*missing\.jsonl: No such file"):
        _call(str(tmp_path / "missing.jsonl"))


def test_command_reports_invalid_utf8_with_its_line(tmp_path):
    path = _file(tmp_path, _line("one"), b'{"name": "caf\xe9"}')

    _, err, _ = _call_failing(path)

    assert "LINE 2: (line): is not valid UTF-8 (undecodable bytes at character 14)" in err


def test_command_reads_standard_input_for_a_dash(monkeypatch):
    data = f"{_line('one')}\n{_line('two')}\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    out, _ = _call("-")

    assert out.startswith("created 2,")


def test_command_prints_progress_to_stderr_unless_quiet(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    path = _file(tmp_path, *(_line(f"tool-{i}", crawl_id=i) for i in range(3)))

    _, err = _call(path)
    _, quiet_err = _call(path, "--quiet")

    assert "… 2 records\n… 3 records\n" in err
    assert quiet_err == ""  # no progress, no warnings


def test_atomic_and_skip_invalid_cannot_be_combined(tmp_path):
    with pytest.raises(CommandError, match="not allowed with argument"):
        _call(_file(tmp_path, _line("one")), "--atomic", "--skip-invalid")


def test_dry_run_prints_what_would_change_and_writes_nothing(tmp_path):
    call_command("import_artifacts", _file(tmp_path, _line("old")), stdout=io.StringIO())
    path = _file(tmp_path, _line("old", summary="Changed."), _line("new"))

    out, _ = _call("--dry-run", path)

    assert "dry run, nothing written" in out
    assert "created 1, updated 1, unchanged 0" in out
    assert "created: new" in out and "updated: old" in out
    assert list(Artifact.objects.values_list("slug", "summary")) == [("old", "Does a thing.")]


def test_dry_run_with_errors_fails_and_says_nothing_was_written(tmp_path):
    path = _file(tmp_path, _line("good"), _line("bad", kind="spaceship"))
    _, err, failure = _call_failing("--dry-run", path)
    assert "LINE 2: kind:" in err
    assert "dry run, nothing was written" in failure
    assert not Artifact.objects.exists()
