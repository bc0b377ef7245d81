"""The compile-once engine gives exactly what plain docxtpl gives (its own layout steps aside), for every sample and template."""

import io
import re
import zipfile

import docx
import pytest
from docxtpl import DocxTemplate

import toolkit
from toolkit.render import default_template
from toolkit.render.context import clean, context
from toolkit.render.engine import CompiledTemplate, compile_template, environment

from .conftest import SAMPLES
from .test_templates import customized, office_edits


def plain_docxtpl(path, values) -> bytes:
    template = DocxTemplate(path)
    template.render(values, jinja_env=environment(), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def reports():
    loaded = [toolkit.load(p).report for p in SAMPLES]
    for year in (2020, 2025):
        draft = toolkit.new_report("某某县某某局", year)
        draft.narrative["problems"].paragraphs = ["第一行\n第二行\t制表 & <标记>"]
        loaded.append(draft)
    return loaded


@pytest.mark.parametrize("report", reports(), ids=lambda r: f"{r.agency.name}{r.year}")
def test_same_xml_as_plain_docxtpl(report):
    path = default_template(report.format.version)
    values = context(report)
    fast, plain = members(CompiledTemplate(path, layout=False).render(values)), members(plain_docxtpl(path, values))
    assert list(fast) == list(plain)
    for name in plain:
        assert fast[name] == plain[name], name


def test_same_xml_with_a_customized_template(tmp_path):
    def with_header_tag(document):
        office_edits(document)
        document.sections[0].header.paragraphs[0].add_run("{{ agency }}")

    path = customized(tmp_path, with_header_tag)
    report = toolkit.load(SAMPLES[0]).report
    values = context(report)
    fast, plain = members(CompiledTemplate(path, layout=False).render(values)), members(plain_docxtpl(path, values))
    assert fast == plain
    header = docx.Document(io.BytesIO(CompiledTemplate(path, layout=False).render(values))).sections[0].header
    assert header.paragraphs[0].text.endswith("淮安市人民政府")


def test_one_compiled_template_renders_many_reports_independently():
    compiled = compile_template(default_template("2021"))
    first, second = (toolkit.load(p).report for p in SAMPLES)
    a1 = compiled.render(context(first))
    compiled.render(context(second))
    assert compiled.render(context(first)) == a1
    assert compile_template(default_template("2021")) is compiled


# -- the shortcut past docxtpl's tree pass -------------------------------------------------------------

import hashlib  # noqa: E402
import inspect  # noqa: E402

import docxtpl  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from markupsafe import Markup  # noqa: E402

from toolkit.render import canonical  # noqa: E402

# The docxtpl steps engine.py mirrors or relies on, as in the pinned version. When docxtpl changes
# one of them, re-check CompiledTemplate against the new code, then record the new fingerprint.
MIRRORED = ("render", "render_init", "build_xml", "render_xml_part", "resolve_listing", "fix_tables",
            "fix_docpr_ids", "render_properties", "render_footnotes", "get_part_xml",
            "build_headers_footers_xml", "map_headers_footers_xml", "get_xml", "xml_to_string")
FINGERPRINT = "c10e39d51869c23b"


def docxtpl_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in MIRRORED:
        digest.update(inspect.getsource(getattr(DocxTemplate, name)).encode())
    return digest.hexdigest()[:16]


def test_docxtpl_is_the_version_the_engine_mirrors():
    assert docxtpl.__version__ == "0.20.2", (
        f"docxtpl {docxtpl.__version__} is installed; engine.py mirrors 0.20.2 (pinned in pyproject.toml)")
    assert docxtpl_fingerprint() == FINGERPRINT, (
        "docxtpl's per-report steps changed: re-verify toolkit/render/engine.py and canonical.py "
        "against DocxTemplate." + ", ".join(MIRRORED) + ", then update FINGERPRINT")


@pytest.mark.parametrize("version", ["2019", "2021"])
def test_shipped_templates_skip_the_tree_pass(version):
    compiled = CompiledTemplate(default_template(version))
    assert compiled._plain_body is not None
    for path in SAMPLES:
        values = context(toolkit.load(path).report)
        if toolkit.load(path).report.format.version == version:
            assert canonical.rendered_is_plain(compiled._plain_body.render(values).encode())


def assert_same_as_docxtpl(path, values):
    fast, plain = members(CompiledTemplate(path, layout=False).render(values)), members(plain_docxtpl(path, values))
    assert list(fast) == list(plain)
    for name in plain:
        assert fast[name] == plain[name], name


HOSTILE = ["", " ", "第一行\n第二行", "制表\t符", "回车\r换行", "引号\"'‘’“”", "& < > &amp; &#34;", "{_{ x }_}",
           "{{ agency }}", "\x07响铃\x0c换页", "\ufffe", "<w:t></w:t>", "名称" * 200]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_give_what_docxtpl_gives(text):
    report = toolkit.load(SAMPLES[0]).report
    values = context(report)
    values["agency"] = text
    values["lead"] = [text, text]
    values["sections"]["overview"]["paragraphs"] = [text]
    next(iter(values[next(iter(report.format.tables))].values()))[next(iter(next(iter(
        values[next(iter(report.format.tables))].values()))))] = text
    if len(text) > 255 or any(ch in text for ch in "\x07\x0c\ufffe"):
        # docxtpl itself refuses such a value as a document property (the author is the agency):
        # the report is still made, with the property cleaned, and the body is docxtpl's.
        fast = members(CompiledTemplate(default_template(report.format.version), layout=False).render(values))
        author = re.search(r"<dc:creator>(.*?)</dc:creator>", fast["docProps/core.xml"].decode("utf-8")).group(1)
        assert len(author) <= 255 and not re.search("[\x00-\x1f\ufffe]", author)
        assert author.startswith(re.sub("[\x00-\x1f\ufffe]", "", text)[:10])
        return
    assert_same_as_docxtpl(default_template(report.format.version), values)


def test_markup_values_take_the_full_path():
    values = context(toolkit.load(SAMPLES[0]).report)
    values["agency"] = Markup("<w:t>标记</w:t>")
    assert not canonical.values_are_plain(values)
    values["agency"] = Markup("机关")
    assert_same_as_docxtpl(default_template("2021"), values)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=12).map(clean), min_size=3, max_size=3))
def test_any_text_gives_what_docxtpl_gives(texts):
    """Any text context() can give (it drops what XML forbids)."""
    values = context(toolkit.load(SAMPLES[1]).report)
    values["agency"], values["title"] = texts[0], texts[1]
    values["sections"]["overview"]["paragraphs"] = [texts[2]]
    assert_same_as_docxtpl(default_template("2021"), values)


def hostile_template(tmp_path, edit) -> str:
    document = docx.Document(default_template("2021"))
    edit(document)
    path = tmp_path / "hostile.docx"
    document.save(path)
    return str(path)


def row_loop(document):
    table = document.tables[0]
    rows = table.rows
    rows[1].cells[0].paragraphs[0].text = "{%tr for p in lead %}"
    rows[2].cells[0].paragraphs[0].text = "{{ p }}"
    rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"


def whitespace_control(document):
    paragraph = document.paragraphs[0]
    paragraph.text = "{%- if agency %}{{ agency }}{% endif -%}"


def body_picture(document):
    from .test_templates import tiny_png
    from docx.shared import Mm
    document.paragraphs[0].add_run().add_picture(io.BytesIO(tiny_png()), width=Mm(10))


def markup_filter(document):
    document.paragraphs[0].text = "{{ agency|e }}"  # escape gives Markup: not proven plain


@pytest.mark.parametrize("edit", [row_loop, whitespace_control, body_picture, markup_filter, lambda d: None],
                         ids=["row loop", "whitespace control", "picture", "markup filter", "unchanged"])
def test_templates_the_shortcut_cannot_prove_take_the_full_path(tmp_path, edit):
    path = hostile_template(tmp_path, edit)
    compiled = CompiledTemplate(path, layout=False)
    assert (compiled._plain_body is not None) == (edit.__name__ == "<lambda>")
    for sample in SAMPLES:
        values = context(toolkit.load(sample).report)
        values["agency"] = "甲&乙<丙>"
        assert_same_as_docxtpl(path, values)
