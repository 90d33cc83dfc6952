"""Which tensorflow-datasets directory is used: flag, env, tfds default, then the team copy."""

from pathlib import Path

from model.training import data


def prepared(root: Path) -> Path:
    info = root / "imdb_reviews" / "plain_text" / "1.0.0" / "dataset_info.json"
    info.parent.mkdir(parents=True)
    info.write_text("{}")
    return root


def test_flag_then_env(monkeypatch, tmp_path):
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "env"))
    assert data.resolve_data_dir(tmp_path / "flag") == str(tmp_path / "flag")
    assert data.resolve_data_dir(None) == str(tmp_path / "env")


def test_team_copy_only_when_nothing_else(monkeypatch, tmp_path):
    monkeypatch.delenv("TFDS_DATA_DIR", raising=False)
    team = prepared(tmp_path / "shared")
    monkeypatch.setattr(data, "_team_copies", lambda: [tmp_path / "absent", team])
    monkeypatch.setattr(data, "_tfds_default_dir", lambda: str(tmp_path / "home"))
    assert data.resolve_data_dir(None) == str(team)
    prepared(tmp_path / "home")  # tfds' own default now holds the data: leave it to tfds
    assert data.resolve_data_dir(None) is None
