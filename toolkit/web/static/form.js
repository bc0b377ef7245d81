// The report form: totals computed as the clerk types, spreadsheet keys and paste, the CLI's checks
// shown at their cells and paragraphs, saving with the version it was made from.
"use strict";

(function () {
  const form = document.getElementById("report-form");
  if (!form) return;
  // Where the form's calls go: the serve app's /reports/N, or the desk's /desk/reports/N/form, which
  // also wants its session's CSRF token with every call.
  const base = form.dataset.base;
  const csrf = form.dataset.csrf ? {"X-CSRF-Token": form.dataset.csrf} : {};
  let version = Number(form.dataset.version);
  let dirty = false;
  let checkSerial = 0;
  let checkTimer = null;

  const fieldId = (name) => "f-" + name.replace(/[^A-Za-z0-9_]/g, "-");
  const byField = (name) => form.querySelector(`[data-field="${CSS.escape(name)}"]`) || form.elements.namedItem(name);
  const $ = (id) => document.getElementById(id);

  // -- the fields as the server reads them ----------------------------------------------------------
  function collect() {
    const fields = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") fields[el.name] = el.checked;
      else fields[el.name] = el.value;
      if (el.dataset.unread && el.value.trim() === "") fields["unread." + el.name.slice("figures.".length)] = true;
    }
    return fields;
  }

  async function post(path, body) {
    const response = await fetch(`${base}/${path}`, {
      method: "POST", headers: {"Content-Type": "application/json", ...csrf}, body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {message: "服务器没有正常回应，请稍后重试。"}; }
    return {status: response.status, data};
  }

  function say(text, kind) {
    const box = $("message");
    box.hidden = !text;
    box.className = "notice " + (kind || "");
    box.textContent = text || "";
  }

  function setDirty(value) {
    dirty = value;
    $("dirty").hidden = !value;
  }

  // -- totals ---------------------------------------------------------------------------------------
  function parseFigure(el) {
    const text = el.value.normalize("NFKC").replace(/[,\s]/g, "");
    if (text === "") return el.dataset.unread ? null : 0;
    return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  }

  function recompute() {
    const memo = new Map();
    const value = (name) => {
      if (memo.has(name)) return memo.get(name);
      const el = byField(name);
      let result;
      if (el && el.dataset.parts) {
        result = 0;
        for (const part of el.dataset.parts.split(" ")) {
          const v = value(part);
          if (v === null || result === null) result = null;
          else result += v;
        }
      } else {
        result = el ? parseFigure(el) : 0;
      }
      memo.set(name, result);
      return result;
    };
    for (const el of form.querySelectorAll("input.computed")) {
      const v = value(el.dataset.field);
      el.value = v === null ? "未读取" : Number.isNaN(v) ? "？" : String(v);
    }
  }

  // -- findings at their places ---------------------------------------------------------------------
  function placeOf(name) {
    // The field a key path names, or the nearest container of it (a section, a part).
    let path = name;
    while (path) {
      const el = byField(path);
      if (el) return el;
      const section = path.match(/^sections\.(\w+)$/);
      if (section) return $("sec-" + section[1]);
      const cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      path = cut > 0 ? path.slice(0, cut) : "";
    }
    return null;
  }

  function clearFindings() {
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.classList.remove("error", "warning");
      const described = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("finding-"));
      if (described.length) el.setAttribute("aria-describedby", described.join(" "));
      else el.removeAttribute("aria-describedby");
    }
    for (const list of document.querySelectorAll("ul.findings")) list.replaceChildren();
    for (const note of form.querySelectorAll(".field-finding")) note.remove();
  }

  function findingText(finding) {
    return finding.text;
  }

  function goTo(el) {
    const details = el.closest("details");
    if (details) details.open = true;
    el.scrollIntoView({block: "center"});
    (el.matches("input, textarea, select") ? el : el.querySelector("input, textarea, select") || el).focus();
  }

  function showFindings(result, problems) {
    clearFindings();
    const list = $("finding-list");
    const items = [];
    (problems || []).forEach((p) => items.push({severity: "error", text: `错误 [填写] 「${p.label}」${p.message}`, detail: [], fields: [p.field]}));
    (result.findings || []).forEach((f) => items.push(f));
    items.forEach((finding, index) => {
      const id = `finding-${index}`;
      const places = finding.fields.map(placeOf).filter(Boolean);
      // Next to where it is about: under its table, or right after its paragraph or field.
      const note = document.createElement("li");
      note.id = id;
      note.className = finding.severity;
      note.textContent = findingText(finding);
      if (finding.detail.length) {
        const more = document.createElement("span");
        more.className = "detail";
        more.textContent = " " + finding.detail.filter((line) => !line.startsWith("其中")).join("；");
        note.append(more);
      }
      const first = places[0];
      const table = first && first.closest("table.figures");
      if (table) {
        $("findings-" + table.dataset.table).append(note);
      } else if (first && first.matches("input, textarea, select")) {
        const holder = document.createElement("ul");
        holder.className = "findings field-finding";
        holder.append(note);
        (first.closest(".paragraph") || first).after(holder);
      } else if (first) {
        const section = first.closest("[data-section]");
        (section ? $("findings-sec-" + section.dataset.section) : list).append(note);
      }
      for (const el of places) {
        if (!el.matches("input, textarea, select")) continue;
        el.setAttribute("aria-invalid", "true");
        el.classList.add(finding.severity);
        const described = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        el.setAttribute("aria-describedby", [...described, id].join(" "));
      }
      // And in the summary, with a way to get there.
      const item = document.createElement("li");
      item.className = finding.severity;
      const jump = document.createElement("button");
      jump.type = "button";
      jump.className = "link";
      jump.textContent = findingText(finding);
      if (first) jump.addEventListener("click", () => goTo(first));
      else jump.disabled = true;
      item.append(jump);
      list.append(item);
    });
    const errors = (result.errors || 0) + (problems || []).length;
    $("count-errors").textContent = errors;
    $("count-warnings").textContent = result.warnings || 0;
    $("count-unfinished").textContent = result.unfinished || 0;
    $("count-unread").textContent = result.unread || 0;
  }

  async function check() {
    const serial = ++checkSerial;
    const {status, data} = await post("check", {fields: collect()});
    if (serial !== checkSerial) return; // a later check is on its way
    if (status === 422) showFindings({findings: []}, data.problems);
    else if (status === 200) showFindings(data, []);
    else say(data.message, "error");
    if ($("preview-box").open) await refreshPreview();
    if (!checkTimer && serial === checkSerial) delete form.dataset.checking; // shown: the findings of what is typed now
  }

  function changed(immediately) {
    setDirty(true);
    recompute();
    form.dataset.checking = "1";
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => { checkTimer = null; check(); }, immediately ? 0 : 300);
  }

  // -- a reviewer's comments (the desk's form): each cell or section commented on points to its comment --
  function markComments() {
    for (const note of document.querySelectorAll("[data-comment-on]")) {
      const place = placeOf(note.dataset.commentOn);
      if (!place) continue;
      if (place.matches("input, textarea, select")) {
        place.classList.add("commented");
        const described = (place.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        place.setAttribute("aria-describedby", [...described, note.id].join(" "));
      }
      const jump = document.createElement("button");
      jump.type = "button";
      jump.className = "link";
      jump.textContent = "转到该处";
      jump.addEventListener("click", () => goTo(place));
      note.append(" ", jump);
    }
  }

  // -- saving ---------------------------------------------------------------------------------------
  async function save(final) {
    say(`正在${final ? $("finalize").textContent : "保存"}……`, "");
    const {status, data} = await post("save", {fields: collect(), version, final});
    if (status === 200) {
      version = data.version;
      form.dataset.version = String(version);
      $("version-number").textContent = version;
      $("saved-at").textContent = data.saved;
      $("state").textContent = data.state || (data.final ? "定稿" : "草稿");
      setDirty(false);
      if (data.findings) showFindings(data, []);
      if (data.refused) say(data.refused, "error");
      else say(data.said || (data.final ? `已定稿，保存为第 ${version} 版。` : `已保存为第 ${version} 版。`), "ok");
      if (data.locked) lock();
    } else if (status === 409 && data.stale) {
      say(data.message, "error");
    } else if (status === 422) {
      showFindings({findings: []}, data.problems);
      say(data.message, "error");
    } else {
      say(data.message || "保存未成功，请稍后重试；填写的内容仍在本页。", "error");
    }
  }

  // -- spreadsheet keys and paste -------------------------------------------------------------------
  const cellsOf = (table) => [...form.querySelectorAll(`input.num[data-table="${table}"]`)];
  const pos = (el) => ({row: Number(el.dataset.row), col: Number(el.dataset.col), span: Number(el.dataset.span)});

  function neighbour(el, direction) {
    const here = pos(el);
    const cells = cellsOf(el.dataset.table).map((c) => [c, pos(c)]);
    let best = null;
    const consider = (c, key) => { if (!best || key < best[1]) best = [c, key]; };
    for (const [c, p] of cells) {
      if (direction === "right" && p.row === here.row && p.col > here.col) consider(c, p.col);
      if (direction === "left" && p.row === here.row && p.col < here.col) consider(c, -p.col);
      const covers = p.col <= here.col && here.col < p.col + p.span;
      if (direction === "down" && covers && p.row > here.row) consider(c, p.row);
      if (direction === "up" && covers && p.row < here.row) consider(c, -p.row);
    }
    return best && best[0];
  }

  function onKey(event) {
    const el = event.target;
    if (!el.matches("input.num")) return;
    // Arrows leave the cell when the caret is at its edge, or when the whole value is selected (just arrived).
    const atEnd = el.selectionEnd === el.value.length;
    const atStart = el.selectionStart === 0 && (el.selectionEnd === 0 || atEnd);
    const direction = {
      Enter: event.shiftKey ? "up" : "down", ArrowDown: "down", ArrowUp: "up",
      ArrowRight: atEnd || el.readOnly ? "right" : null, ArrowLeft: atStart || el.readOnly ? "left" : null,
    }[event.key];
    if (!direction) return;
    const next = neighbour(el, direction);
    event.preventDefault();
    if (next) { next.focus(); next.select(); }
  }

  function onPaste(event) {
    const el = event.target;
    if (!el.matches("input.num")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text/plain").replace(/\r/g, "").replace(/\n+$/, "");
    if (!/[\t\n]/.test(text)) return;
    event.preventDefault();
    const block = text.split("\n").map((line) => line.split("\t"));
    const cells = cellsOf(el.dataset.table);
    const rows = [...new Set(cells.map((c) => pos(c).row))].sort((a, b) => a - b);
    const here = pos(el);
    let filled = 0, skipped = 0;
    block.forEach((values, i) => {
      const row = rows[rows.indexOf(here.row) + i];
      if (row === undefined) { skipped += values.length; return; }
      const line = cells.filter((c) => pos(c).row === row).sort((a, b) => pos(a).col - pos(b).col);
      const start = line.findIndex((c) => pos(c).col + pos(c).span > here.col);
      values.forEach((value, j) => {
        const target = start < 0 ? undefined : line[start + j];
        if (!target || target.readOnly) { skipped += 1; return; }
        target.value = value.trim();
        filled += 1;
      });
    });
    say(`已粘贴 ${block.length} 行 × ${Math.max(...block.map((r) => r.length))} 列，填入 ${filled} 格` +
        (skipped ? `；${skipped} 格为总计（自动计算）或超出表格，未填入。` : "。"), "ok");
    changed(true);
  }

  // -- paragraphs and parts: add, remove, reorder ---------------------------------------------------
  function renumber(section) {
    const key = section.dataset.section;
    const heading = section.dataset.heading;
    const name = (el, value, label) => {
      el.name = value;
      el.id = fieldId(value);
      const labelEl = el.previousElementSibling;
      if (labelEl && labelEl.tagName === "LABEL") labelEl.htmlFor = el.id;
      if (label) el.setAttribute("aria-label", label);
    };
    const narrative = section.querySelector(".narrative");
    const items = (list) => [...list.children].filter((el) => el.dataset.item); // findings sit among them
    items(narrative.querySelector(":scope > .paragraphs")).forEach((p, i) =>
      name(p.querySelector("textarea"), `sections.${key}.paragraphs[${i}]`, `${heading} / 第${i + 1}段`));
    items(narrative.querySelector(":scope > .parts")).forEach((part, i) => {
      const base = `sections.${key}.parts[${i}]`;
      const title = part.querySelector(":scope > input");
      name(title, `${base}.title`);
      items(part.querySelector(".paragraphs")).forEach((p, j) =>
        name(p.querySelector("textarea"), `${base}.paragraphs[${j}]`, `${heading} / ${title.value} / 第${j + 1}段`));
    });
  }

  // New paragraphs and parts are copies of the page's own templates (the same markup the server renders).
  const copyOf = (id) => $(id).content.firstElementChild.cloneNode(true);

  function newPart(section) {
    const official = (section.dataset.parts || "").split("|").filter(Boolean);
    const used = [...section.querySelectorAll(".part > input")].map((i) => i.value);
    const part = copyOf("new-part");
    part.querySelector("input").value = official.find((t) => !used.includes(t)) || "";
    part.querySelector(".paragraphs").append(copyOf("new-paragraph"));
    return part;
  }

  function onAction(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const section = button.closest("[data-section]");
    const action = button.dataset.action;
    let focus = null;
    if (action === "add-paragraph") {
      const holder = button.closest(".part") || section.querySelector(".narrative");
      const paragraph = copyOf("new-paragraph");
      holder.querySelector(".paragraphs").append(paragraph);
      focus = paragraph.querySelector("textarea");
    } else if (action === "add-part") {
      const part = newPart(section);
      section.querySelector(".narrative > .parts").append(part);
      focus = part.querySelector("input");
    } else {
      const item = button.closest("[data-item]");
      const siblings = [...item.parentElement.children].filter((el) => el.dataset.item);
      const at = siblings.indexOf(item);
      if (action === "remove") {
        focus = siblings[at + 1] || siblings[at - 1] || null;
        item.remove();
      } else {
        if (action === "up" && at > 0) siblings[at - 1].before(item);
        if (action === "down" && at < siblings.length - 1) siblings[at + 1].after(item);
      }
      focus = action !== "remove" ? button
        : focus ? focus.querySelector("textarea, input") : section.querySelector('[data-action="add-paragraph"]');
    }
    renumber(section);
    if (focus) focus.focus();
    changed(true);
  }

  // -- preview, register, lead ----------------------------------------------------------------------
  async function refreshPreview() {
    const {status, data} = await post("preview", {fields: collect()});
    if (status === 200) $("preview").srcdoc = data.html;
  }

  async function tally(event) {
    event.preventDefault();
    const response = await fetch(`${base}/tally`, {method: "POST", body: new FormData(event.target)});
    const data = await response.json();
    if (!response.ok) { say(data.message, "error"); return; }
    for (const [name, value] of Object.entries(data.figures)) {
      const el = byField(name);
      if (el && !el.readOnly) { el.value = String(value); delete el.dataset.unread; el.removeAttribute("placeholder"); }
    }
    say(data.message, "ok");
    changed(true);
  }

  // Handed in (the desk's submit): nothing more to edit until a reviewer returns it.
  function lock() {
    for (const el of form.elements) el.disabled = true;
    $("save").disabled = $("finalize").disabled = true;
  }

  function leadState() {
    const omit = $("f-lead-omit").checked;
    for (const el of $("lead-fields").querySelectorAll("input, textarea")) el.disabled = omit;
  }

  // -- wiring ---------------------------------------------------------------------------------------
  form.addEventListener("input", (event) => {
    if (event.target.matches("input.num") && event.target.dataset.unread && event.target.value !== "") {
      delete event.target.dataset.unread;
      event.target.removeAttribute("placeholder");
    }
    changed(false);
  });
  form.addEventListener("change", () => changed(true));
  form.addEventListener("keydown", onKey);
  // Arriving in a cell selects its value, so typing replaces it, as in a spreadsheet.
  form.addEventListener("focusin", (event) => { if (event.target.matches("input.num")) event.target.select(); });
  form.addEventListener("paste", onPaste);
  form.addEventListener("click", onAction);
  form.addEventListener("submit", (event) => event.preventDefault());
  $("save").addEventListener("click", () => save(false));
  $("finalize").addEventListener("click", () => save(true));
  if ($("tally-form")) $("tally-form").addEventListener("submit", tally);
  $("f-lead-omit").addEventListener("change", leadState);
  $("preview-box").addEventListener("toggle", async () => {
    if (!$("preview-box").open) return;
    form.dataset.checking = "1";
    await refreshPreview();
    if (!checkTimer) delete form.dataset.checking;
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(false); }
  });
  window.addEventListener("beforeunload", (event) => { if (dirty) { event.preventDefault(); event.returnValue = ""; } });

  leadState();
  recompute();
  markComments();
  showFindings(JSON.parse($("initial-check").textContent), []);
})();
