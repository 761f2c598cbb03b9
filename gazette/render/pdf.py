"""PDF: the rendered notice HTML plus the print stylesheet, through WeasyPrint, as PDF/A.

Only files inside the content and template folders can be read while rendering (see SafeFetcher); the
notice's YAML source is embedded as an associated file (AFRelationship /Source) so the archived PDF carries its
own data. Every date inside comes from the notice, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from gazette.render import weasyprint_import  # noqa: F401 - before weasyprint, see there
import weasyprint  # noqa: E402
from markupsafe import Markup
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from gazette import fonts
from gazette.errors import ContentErrors, GazetteError
from gazette.loader import Content, locate
from gazette.render import cjk_justify, weasyprint_speed
from gazette.render.html import RenderedNotice, chart_name, environment, template_dirs

cjk_justify.install()
weasyprint_speed.install()

PDF_VARIANTS = ("pdf/a-3b", "pdf/a-3u", "pdf/a-2b", "pdf/a-2u")  # never 1b: CFF CJK fonts cannot meet it


class RefusedURL(FatalURLFetchingError):
    pass


class SafeFetcher(URLFetcher):
    """Refuses every URL but files inside the allowed folders: no file:///etc/passwd, no http://127.0.0.1."""

    def __init__(self, allowed: list[Path], generated: dict[str, bytes] | None = None):
        super().__init__(allowed_protocols={"file"}, timeout=1)
        self.allowed = [p.resolve() for p in allowed]
        self.generated = generated or {}  # images made during the build (charts), by their gazette: URL
        # WeasyPrint swallows some fetch errors (a font's src, for one) and renders on without the resource:
        # every refusal is remembered here and reported by render_pdf, so none passes silently.
        self.refused: list[tuple[str, str]] = []  # (url as written, why)

    def fetch(self, url, headers=None):  # noqa: ANN001 - WeasyPrint's signature
        if url in self.generated:
            return URLFetcherResponse(url, body=self.generated[url], headers={"Content-Type": "image/png"})
        parsed = urlparse(url)
        if parsed.scheme != "file":
            self._refuse(url, f"拒绝读取外部资源 {url}")
        path = Path(unquote(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            self._refuse(url, f"拒绝读取内容文件夹之外的文件 {path}")
        return super().fetch(url, headers)

    def _refuse(self, url: str, why: str) -> None:
        self.refused.append((url, why))
        raise RefusedURL(why)

    def report(self, notice_id: str, content: Content) -> GazetteError:
        """The first refusal as one line naming who asked: a notice field or a template override's line."""
        url, why = self.refused[0]
        path = unquote(urlparse(url).path)
        origin = next(filter(None, (locate(text, content.root, content.sources.get(notice_id))
                                    for text in (url, path, Path(path).name))), None)
        return GazetteError(f"{notice_id}: {why}（{'来自 ' + origin if origin else '来源不明'}）")


@lru_cache(maxsize=1)
def font_configuration():
    """One fontconfig configuration and Pango font map for every PDF of a build: WeasyPrint makes a new one per
    document unless given one, reloading fontconfig's font list and reopening every font (30 ms a PDF).
    workers.init starts a new one for each build, so a template's @font-face of an earlier build cannot linger."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _font_stack(families: list[str]) -> str:
    return ", ".join(f'"{f}"' for f in families) + ", serif"


def stylesheet(content: Content) -> str:
    env = environment(tuple(template_dirs(content.root)))
    fonts = content.site.fonts
    return env.get_template("print.css.j2").render(fonts={
        role: Markup(_font_stack(getattr(fonts, role)))
        for role in ("title", "body", "heading1", "heading2", "page_number")
    })


_DASH_RUN = re.compile(r"(?<![—…\u2060])([—…]+)")


def keep_dashes_attached(html: str) -> str:
    """Pango lets a line start with "——" or "……", which a 公文 never does: a word joiner (U+2060, invisible,
    not extracted as text) before each run ties it to the character before."""
    return _DASH_RUN.sub("\u2060\\1", html)


def pdf_document(rendered: RenderedNotice, content: Content, charts: dict[str, bytes] | None = None) -> str:
    env = environment(tuple(template_dirs(content.root)))
    notice = rendered.notice
    body = fonts.mark_fallback_glyphs(keep_dashes_attached(rendered.html),
                                      fonts.primary_font(content.site.fonts, "body"))
    if charts is not None:
        body = _charts_as_png(body, notice, charts)
    created = dt.datetime.combine(notice.published, dt.time(0, 0), tzinfo=dt.timezone.utc)
    return env.get_template("pdf.html.j2").render(
        notice=notice, site=content.site, body=Markup(body),
        created=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def _charts_as_png(body: str, notice, charts: dict[str, bytes]) -> str:
    """The page shows a chart as SVG; in the PDF it is the same chart as PNG, whose labels are not text (an SVG
    image's labels would be, and the PDF's text would then differ from the DOCX's and the page's). The PNG is
    handed to WeasyPrint from memory under a fixed gazette: URL, so nothing varies between builds."""
    for indicator in notice.indicators:
        if not indicator.chart:
            continue
        from gazette.charts import indicator_chart_png

        url = "gazette:" + chart_name(notice, indicator.key, "png")
        charts[url] = indicator_chart_png(indicator)
        body = body.replace(f'src="{chart_name(notice, indicator.key, "svg")}"', f'src="{url}"')
    return body


def render_pdf(rendered: RenderedNotice, content: Content, target: Path, *, source_yaml: bytes | None = None
               ) -> None:
    notice = rendered.notice
    variant = content.site.pdf.variant
    source = content.source_of(notice)
    missing = fonts.check_coverage(notice, rendered.html, content.site.fonts, source.path, source.text)
    if missing:
        raise ContentErrors(missing)
    charts: dict[str, bytes] = {}
    document = pdf_document(rendered, content, charts)
    fetcher = SafeFetcher([content.root, *template_dirs(content.root)], generated=charts)
    html = weasyprint.HTML(string=document, base_url=str(content.root) + "/", url_fetcher=fetcher)
    attachments = []
    if source_yaml is not None:
        stamp = dt.datetime.combine(notice.published, dt.time(0, 0), tzinfo=dt.timezone.utc)
        attachments.append(weasyprint.Attachment(
            string=source_yaml, name=f"{notice.id}.yaml", description="公示的 YAML 源文件 (gazette source)",
            relationship="Source", created=stamp, modified=stamp))
    try:
        # the stylesheet inside the try: its @import is fetched while it is parsed
        css = weasyprint.CSS(string=stylesheet(content), url_fetcher=fetcher)
        # No pdf_identifier: pydyf would hash every object for the ID's second half, compressing each stream a
        # second time (30 ms), and qpdf replaces that half anyway. _complete_metadata writes the ID.
        html.write_pdf(target, stylesheets=[css], pdf_variant=variant, attachments=attachments,
                       font_config=font_configuration(), uncompressed_pdf=False, custom_metadata=False,
                       pdf_identifier=False)
    except RefusedURL:
        pass  # reported just below, with where the URL came from
    finally:
        # WeasyPrint keeps large caches alive across renders; without this memory grows with every notice.
        gc.collect()
    if fetcher.refused:
        raise fetcher.report(notice.id, content)
    _complete_metadata(target, content, notice.id)


def warm_up(site) -> None:
    """What the first PDF of a fresh worker would read anyway — the fonts' character maps, pikepdf — loaded while the build's main process is still loading notices. (A throw-away layout
    would also load Pango's fonts and cffi's types, 0.15 s, but on two cores shared with the main process it
    delayed the main process as much as it saved.) Never an error here: the notice's own render reports it."""
    try:
        for role in fonts.ROLES:
            for font in fonts.role_fonts(site.fonts, role):
                font.characters  # noqa: B018 - loads the map
        import pikepdf  # noqa: F401
    except Exception:  # noqa: BLE001, S110 - see above
        pass


def _complete_metadata(target: Path, content: Content, identifier: str) -> None:
    """Add what WeasyPrint's XMP lacks for an archive: the language (dc:language) and the issuing
    organisation as publisher, and mark the embedded source as YAML. pikepdf rewrites the file with the
    notice id as the first half of the document ID (qpdf keeps it; the second half is qpdf's static one) and
    no timestamps, so the output stays byte-identical for the same inputs."""
    import pikepdf  # only when writing a PDF

    with pikepdf.open(target, allow_overwriting_input=True) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:language"] = [content.site.language]
            xmp["dc:publisher"] = [content.site.organisation]
            producer = str(xmp.get("pdf:Producer", ""))
        # PDF/A: the Info dictionary must agree with the XMP (pikepdf would otherwise name itself Producer)
        pdf.docinfo[pikepdf.Name.Producer] = producer
        # WeasyPrint lists the associated file twice in /AF; once is right
        unique = {spec.objgen: spec for spec in pdf.Root.get("/AF", [])}
        if unique:
            pdf.Root.AF = pikepdf.Array(list(unique.values()))
        for spec in unique.values():
            if spec.get("/AFRelationship") == pikepdf.Name.Source:
                spec.EF.F.Subtype = pikepdf.Name("/application/yaml")
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(identifier.encode()), pikepdf.String(identifier.encode())])
        pdf.save(target, deterministic_id=False, static_id=True, fix_metadata_version=False)
