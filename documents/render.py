"""Templates to HTML (Jinja2, autoescaped, strict) and HTML to PDF (WeasyPrint, package assets only).

Case data is never trusted as markup: autoescaping is on for every template and an undefined
name is an error, not an empty string. WeasyPrint may read only the stylesheet and assets of
this package; any other file or URL a template (or a party's name) might point at is refused.
The body font is chosen by family name (fontconfig), so no font file path is needed.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from documents.capitals import amount_in_capitals, yuan

ASSETS = Path(__file__).resolve().parent
TEMPLATES = ASSETS / "templates"
ASSET_SUFFIXES = {".css", ".png", ".svg"}


class RefusedFetch(ValueError):
    """A template asked for a resource outside the package's assets."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``file:`` URLs inside the documents package; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> Any:
        check_asset_url(url)
        return super().fetch(url, headers)


def check_asset_url(url: str) -> Path:
    """The package file a ``file:`` URL names, or ``RefusedFetch``."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise RefusedFetch(f"document assets are local package files only, not {url}")
    path = Path(unquote(parsed.path)).resolve()
    if not path.is_relative_to(ASSETS) or path.suffix not in ASSET_SUFFIXES or not path.is_file():
        raise RefusedFetch(f"{path} is not an asset of the documents package")
    return path


def blank_line(value: Any, width: str = "8em") -> Any:
    """The value, or an underlined blank a preview shows where a required value is missing."""
    if value is None or value == "" or value == []:
        return Markup('<span class="blank" style="min-width: {}"></span>').format(width)
    return value


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二: the numbering of a decision's items (一、二、…)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["capitals"] = amount_in_capitals
    env.filters["yuan"] = yuan
    env.filters["v"] = blank_line
    env.filters["cn_number"] = cn_number
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    return environment().get_template(template).render(**context)


def render_pdf(html: str) -> bytes:
    """A PDF with the fonts embedded (subset); resources only from the package's assets."""
    document = HTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=AssetFetcher())
    try:
        pdf = document.write_pdf()
    except FatalURLFetchingError as error:  # a BaseException in WeasyPrint: make it an ordinary error
        raise RefusedFetch(str(error)) from error
    assert pdf is not None
    return bytes(pdf)


@cache
def template_version(template: str) -> str:
    """A short hash of the template, the shared base and macros, and the stylesheet."""
    digest = hashlib.sha256()
    for path in (
        TEMPLATES / "base.html",
        TEMPLATES / "macros.html",
        TEMPLATES / template,
        ASSETS / "style.css",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
