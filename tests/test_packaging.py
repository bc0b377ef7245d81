"""The installed package carries every module, format definition and template."""

import sys

import pytest

from .conftest import ROOT


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is in the standard library from 3.11")
def test_every_subpackage_is_installed():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    declared = set(config["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "toolkit").rglob("__init__.py")}
    assert on_disk | {"toolkit.templates"} == declared
    assert config["package-dir"]["toolkit.templates"] == "templates"
    assert config["package-data"]["toolkit.formats"] == ["*.yaml"]
    assert config["package-data"]["toolkit.templates"] == ["*.docx"]
