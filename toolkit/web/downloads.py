"""Files the clerk downloads: the report in each output, named by its title."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "yaml": "application/yaml; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What each download is, as the page offers it.
KINDS = {"docx": "Word 报告（.docx）", "pdf": "PDF", "html": "网页（.html）", "json": "开放数据 JSON",
         "csv": "开放数据 CSV", "yaml": "数据文件（.yaml，可用命令行 govreport 打开）"}


def attachment(name: str, content: bytes, kind: str) -> Response:
    """The bytes as a download; the Chinese file name survives every browser (RFC 6266 filename*)."""
    fallback = f"report.{kind}"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=MEDIA_TYPES[kind], headers={"Content-Disposition": disposition})
