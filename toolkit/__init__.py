"""govreport: the 政府信息公开工作年度报告 as data — scaffold, check and render it.

The public API is ``toolkit.api``, exposed here as it is::

    report = toolkit.load("2025.yaml").report   # any source → Loaded (report, and what could not be read)
    findings = toolkit.check(report, previous)   # consistency rules → [Finding]
    draft = toolkit.new_report("某某乡人民政府", 2025, previous=last_year)
    text = toolkit.dumps(draft)                  # Report → annotated YAML
    docx = toolkit.render_docx(report)           # Report → .docx bytes (toolkit.render_files for every output)
"""

from .api import *  # noqa: F403
from .api import __all__  # noqa: F401
