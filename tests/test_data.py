"""data/ and its manifest: every file listed, every checksum right, provenance on request."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from course import data


def test_data_matches_manifest():
    assert data.problems() == []


@pytest.fixture
def copy(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    data._manifest.cache_clear()
    yield folder
    data._manifest.cache_clear()


def test_unlisted_file_is_caught(copy):
    (copy / "extra.csv").write_text("a\n1\n")
    assert any("extra.csv: not listed" in p for p in data.problems(copy))


def test_missing_file_is_caught(copy):
    (copy / "article" / "metadata.json").unlink()
    assert any("metadata.json: listed in the manifest but missing" in p for p in data.problems(copy))


def test_changed_file_is_caught(copy):
    f = copy / "article" / "russian-army-desertions.txt"
    f.write_text(f.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert any("checksum differs" in p for p in data.problems(copy))


def test_entry_without_source_is_caught(copy):
    m = copy / "manifest.json"
    doc = json.loads(m.read_text())
    del doc["files"][0]["source"]
    m.write_text(json.dumps(doc))
    assert any("lacks source" in p for p in data.problems(copy))


@pytest.mark.parametrize("field", ["period", "gathered"])
def test_entry_without_a_period_or_a_gathering_date_is_caught(copy, field):
    m = copy / "manifest.json"
    doc = json.loads(m.read_text())
    del doc["files"][0][field]
    m.write_text(json.dumps(doc))
    assert any(f"lacks {field}" in p for p in data.problems(copy))


def test_listed_but_missing_file_gives_a_helpful_load_error(copy):
    (copy / "article" / "metadata.json").unlink()
    with pytest.raises(FileNotFoundError, match="git checkout -- data/"):
        data.load("article-metadata")


def test_unknown_name_lists_available_and_suggests():
    with pytest.raises(KeyError, match="Did you mean 'article'") as err:
        data.load("articel")
    assert "Available: " in str(err.value) and "article-metadata" in str(err.value)
    with pytest.raises(TypeError, match="string such as 'article'"):
        data.info(3)


def test_load_returns_by_type_and_fresh_copies():
    assert data.load("article").startswith("Russian Army Desertions")
    meta = data.load("article-metadata")
    assert meta["author"] == "none given" and meta["sources_cited"] == []
    meta["author"] = "changed"
    assert data.load("article-metadata")["author"] == "none given"


def test_every_entry_has_full_provenance():
    for name in data.available():
        p = data.info(name)
        assert p.description and p.publisher and p.title and p.date and p.url and p.licence, name
        assert p.period and p.gathered, f"{name}: say what time the data cover and when they were gathered"
        assert len(p.sha256) == 64
        assert name in str(p) and name in p._repr_html_()
        assert p.publisher in p.citation()
        # a chart's source note is the citation: it carries the period and the gathering date
        assert p.period in p.citation() and p.gathered in p.citation() and p.gathered in str(p)


_DATE = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"


def _span(column) -> tuple[str, str]:
    """The earliest and the newest date written in a column (text such as "not shown" is skipped)."""
    dates = [d for d in column.dropna().astype(str) if re.fullmatch(_DATE, d)]
    return min(dates), max(dates)


@pytest.mark.parametrize("name, start_col, end_cols", [
    ("figures", "period_start", ["period_end", "source_date"]),
    ("figure-values", "period_start", ["period_end"]),
    ("sourced-sentences", "date", ["date"]),
])
def test_the_stated_period_is_the_span_of_the_data(name, start_col, end_cols):
    frame = data.load(name)
    first = _span(frame[start_col])[0]
    newest = max(_span(frame[c])[1] for c in end_cols)
    stated = re.findall(_DATE, data.info(name).period)
    assert stated[:2] == [first, newest], f"{name}: the manifest's period must run from {first} to {newest}"
    assert newest in data.info(name).gathered, f"{name}: say that the newest source is dated {newest}"


def test_synthetic_files_say_so_in_their_citation():
    for name in data.available():
        p = data.info(name)
        if p.synthetic:
            assert p.citation().endswith("[synthetic]") and p.generated_by


def test_article_metadata_records_what_is_missing():
    meta = data.load("article-metadata")
    for key in ("title", "author", "date", "outlet", "sources_cited", "how_obtained"):
        assert key in meta
    assert meta["title"] == data.load("article").splitlines()[0]
