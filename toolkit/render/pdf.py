"""Converting a .docx to PDF with LibreOffice, the office suite most government machines can have."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import RenderError
from . import fonts, pagination

INSTALL_HINT = (
    "未找到 LibreOffice，无法转换为 PDF。请先安装：\n"
    "    Debian/Ubuntu/统信/麒麟：sudo apt-get install libreoffice-writer\n"
    "    Windows/macOS：从 https://www.libreoffice.org/download/ 下载安装\n"
    "安装后确认命令 soffice 可以运行；也可用 WPS 或 Word 打开 Word 报告后另存为 PDF。"
)


def find_office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, timeout: int = 300) -> bytes:
    """PDF bytes of a .docx; a table's group labels repeated where a page break cuts them."""
    pdf = _convert(docx, timeout)
    continued = pagination.continue_merged_labels(docx, pdf)
    return _convert(continued, timeout) if continued else pdf


def _convert(docx: bytes, timeout: int) -> bytes:
    """PDF bytes of a .docx, converted by a headless LibreOffice with a private profile.

    The private profile lets conversions run in parallel and beside a user's open LibreOffice.
    """
    office = find_office()
    if office is None:
        raise RenderError(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="govreport-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(docx)
        command = [office, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False,
                                  env=fonts.office_environment(work))
        except subprocess.TimeoutExpired:
            raise RenderError(f"LibreOffice 转换 PDF 超时（{timeout} 秒）。") from None
        pdf = work / "report.pdf"
        if not pdf.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise RenderError(f"LibreOffice 未能转换 PDF：{detail or '没有输出'}")
        return pdf.read_bytes()
