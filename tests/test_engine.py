"""The compile-once engine gives exactly what plain docxtpl gives, for every sample and template."""

import io
import zipfile

import docx
import pytest
from docxtpl import DocxTemplate

import toolkit
from toolkit.render import default_template
from toolkit.render.context import context
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
    loaded = [toolkit.load(p) for p in SAMPLES]
    for year in (2020, 2025):
        draft = toolkit.new_report("某某县某某局", year)
        draft.narrative["problems"].paragraphs = ["第一行\n第二行\t制表 & <标记>"]
        loaded.append(draft)
    return loaded


@pytest.mark.parametrize("report", reports(), ids=lambda r: f"{r.agency.name}{r.year}")
def test_same_xml_as_plain_docxtpl(report):
    path = default_template(report.format.version)
    values = context(report)
    fast, plain = members(CompiledTemplate(path).render(values)), members(plain_docxtpl(path, values))
    assert list(fast) == list(plain)
    for name in plain:
        assert fast[name] == plain[name], name


def test_same_xml_with_a_customized_template(tmp_path):
    def with_header_tag(document):
        office_edits(document)
        document.sections[0].header.paragraphs[0].add_run("{{ agency }}")

    path = customized(tmp_path, with_header_tag)
    report = toolkit.load(SAMPLES[0])
    values = context(report)
    fast, plain = members(CompiledTemplate(path).render(values)), members(plain_docxtpl(path, values))
    assert fast == plain
    header = docx.Document(io.BytesIO(CompiledTemplate(path).render(values))).sections[0].header
    assert header.paragraphs[0].text.endswith("淮安市人民政府")


def test_one_compiled_template_renders_many_reports_independently():
    compiled = compile_template(default_template("2021"))
    first, second = (toolkit.load(p) for p in SAMPLES)
    a1 = compiled.render(context(first))
    compiled.render(context(second))
    assert compiled.render(context(first)) == a1
    assert compile_template(default_template("2021")) is compiled
