"""Every relative link in README.md, CONTRIBUTING.md and docs/ resolves, #anchors included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`]+`")
EXTERNAL = ("http://", "https://", "mailto:")


def markdown_pages() -> list[Path]:
    pages = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").rglob("*.md"))]
    return [page for page in pages if page.is_file()]


def prose(text: str) -> str:
    """The text without code blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", page.read_text()), re.M):
        base = slug(heading)
        name, n = base, 0
        while name in found:  # GitHub numbers repeated headings: x, x-1, x-2
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(prose(page.read_text())):
        if target.startswith(EXTERNAL):
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading with that anchor")
    return broken


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


def test_the_readme_links_every_docs_page_and_contributing():
    readme = REPO / "README.md"
    linked = {
        (readme.parent / target.partition("#")[0]).resolve()
        for target in LINK.findall(prose(readme.read_text()))
        if not target.startswith(EXTERNAL)
    }
    pages = {p.resolve() for p in markdown_pages() if p != readme}
    assert pages - linked == set(), "add these to the README's documentation table"


def test_the_checker_catches_a_broken_file_and_anchor(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## Start-up on Heroku's terms\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#start-up-on-herokus-terms) [gone](missing.md) [bad](other.md#nope) "
        "`[code](ignored.md)` [self](#title)\n\n# Title\n"
    )
    assert broken_links(page) == [
        "missing.md: no such file",
        "other.md#nope: no heading with that anchor",
    ]


def test_the_readme_fits_on_a_screen_with_the_quick_start_near_the_top():
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move detail to docs/"
    top = "\n".join(lines[:60])
    assert "make run" in top and "make test" in top
