// The editor page: the file's text is the state. Every form change is sent to the server as
// a change at a TOML path; the server answers with the new text, the diagnostics of
// `avtale check` and, when choices depend on it, the form again. No rule is checked here.
"use strict";

(function () {
  const state = JSON.parse(document.getElementById("state").dataset.state);
  let text = state.text;
  let base = state.base;
  let diagnostics = [];
  let pageImages = new Map();
  let queue = Promise.resolve();
  let previewTimer = null;
  let checkTimer = null;
  const inputTimers = new Map();

  const $ = (id) => document.getElementById(id);
  const form = $("form");
  const toml = $("toml");

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/json")) {
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || "Ukjent feil.");
      return data;
    }
    if (!response.ok) throw new Error(await response.text());
    return response;
  }

  function say(message) {
    $("status").textContent = message;
  }

  // Changes are sent one at a time, each on the text the previous one gave.
  function enqueue(task) {
    queue = queue.then(task).catch((e) => say(e.message));
    return queue;
  }

  function change(ch, rerender, focusAfter) {
    return enqueue(async () => {
      const data = await post("/api/edit", { file: state.file, text, change: ch, form: !!rerender });
      setText(data.text);
      showDiagnostics(data.diagnostics);
      if (rerender) showForm(data, focusAfter);
      schedulePreview();
    });
  }

  function setText(t) {
    text = t;
    if (document.activeElement !== toml) toml.value = t;
  }

  function valueOf(el) {
    const kind = el.dataset.kind;
    if (kind === "bool") return { kind: "bool", value: el.checked };
    if (kind === "list") {
      const boxes = el.querySelectorAll("input[type=checkbox]");
      return { kind: "list", value: Array.from(boxes).filter((b) => b.checked).map((b) => b.value) };
    }
    if (kind === "lines") return { kind: "list", value: el.value.split("\n") };
    if (kind === "date") return { kind: "date", value: el.value.trim() };
    return { kind: "text", value: el.value };
  }

  function control(target) {
    return target.closest("[data-path][data-kind]");
  }

  form.addEventListener("input", (ev) => {
    const el = control(ev.target);
    if (!el || el.tagName === "SELECT" || el.dataset.kind === "bool" || el.dataset.kind === "list") return;
    clearTimeout(inputTimers.get(el.id));
    inputTimers.set(
      el.id,
      setTimeout(() => change({ op: "set", path: el.dataset.path, value: valueOf(el) }, false), 250)
    );
  });

  form.addEventListener("change", (ev) => {
    const el = control(ev.target);
    if (!el) return;
    const structural = el.tagName === "SELECT" || el.dataset.kind === "bool" || el.dataset.kind === "list";
    if (!structural) return;
    const focusId = ev.target.id;
    change({ op: "set", path: el.dataset.path, value: valueOf(el) }, true, focusId);
  });

  form.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-op]");
    if (!button) return;
    const op = button.dataset.op;
    const path = button.dataset.path;
    const section = path.replace(/\[\d+\]$/, "");
    if (op === "add") {
      const count = form.querySelectorAll(`[data-item^="${section}["]`).length;
      change({ op: "add", path }, true, { item: `${section}[${count}]`, fallback: `section-${section}` });
    } else if (op === "remove") {
      change({ op: "remove", path }, true, { id: `add-${section}`, fallback: `section-${section}` });
    } else if (op === "move") {
      const to = Number(button.dataset.to);
      const dir = button.id.startsWith("up-") ? "up" : "down";
      change({ op: "move", path, to }, true, { id: `${dir}-${section}-${to}`, fallback: `item-${section}-${to}` });
    }
  });

  function showForm(data, focusAfter) {
    const notice = $("form-notice");
    if (data.form == null) {
      notice.textContent = data.notice || "";
      notice.hidden = false;
      form.innerHTML = "";
      return;
    }
    notice.hidden = true;
    const active = typeof focusAfter === "string" ? focusAfter : document.activeElement && document.activeElement.id;
    form.innerHTML = data.form;
    placeDiagnostics();
    restoreFocus(focusAfter, active);
  }

  function restoreFocus(focusAfter, active) {
    let el = null;
    if (focusAfter && typeof focusAfter === "object") {
      if (focusAfter.item) {
        const item = form.querySelector(`[data-item="${focusAfter.item}"]`);
        el = item && item.querySelector("input, select, textarea");
      }
      el = el || (focusAfter.id && $(focusAfter.id)) || $(focusAfter.fallback);
    } else if (active) {
      el = $(active);
    }
    if (el) {
      if (!el.matches("input, select, textarea, button, a")) el.setAttribute("tabindex", "-1");
      el.focus();
    }
  }

  // Diagnostics: each beside the control at its TOML path, or the nearest part above it.
  function showDiagnostics(list) {
    diagnostics = list || [];
    placeDiagnostics();
    showSummary();
    showLineDiagnostics();
  }

  function holderFor(path) {
    let p = path;
    while (p) {
      const holder = form.querySelector(`[data-diag-for="${CSS.escape(p)}"]`);
      if (holder) return holder;
      const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
      p = cut > 0 ? p.slice(0, cut) : "";
    }
    return null;
  }

  function diagText(d) {
    const kind = d.severity === "error" ? "Feil" : d.severity === "warning" ? "Advarsel" : "Merknad";
    return `${kind} [${d.code}]: ${d.message}` + (d.help ? ` Slik retter du det: ${d.help}` : "");
  }

  function placeDiagnostics() {
    form.querySelectorAll("[data-diag-for]").forEach((h) => (h.innerHTML = ""));
    form.querySelectorAll("[aria-invalid]").forEach((c) => c.removeAttribute("aria-invalid"));
    diagnostics.forEach((d, i) => {
      const holder = holderFor(d.path);
      if (!holder) return;
      const p = document.createElement("p");
      p.className = `diag-item ${d.severity}`;
      p.id = `diag-${i}`;
      p.dataset.code = d.code;
      p.textContent = diagText(d);
      holder.appendChild(p);
      const ctl = holder.closest(".field") && holder.closest(".field").querySelector("[data-path]");
      if (ctl && d.severity === "error") ctl.setAttribute("aria-invalid", "true");
    });
  }

  function showSummary() {
    const list = $("summary-list");
    list.innerHTML = "";
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const warnings = diagnostics.filter((d) => d.severity === "warning").length;
    $("summary-count").textContent =
      diagnostics.length === 0 ? "Ingen problemer." : `${errors} feil, ${warnings} advarsler.`;
    diagnostics.forEach((d) => {
      const li = document.createElement("li");
      li.className = d.severity;
      const a = document.createElement("a");
      a.href = "#";
      a.textContent = `${diagText(d)} (linje ${d.line})`;
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        goTo(d);
      });
      li.appendChild(a);
      list.appendChild(li);
    });
  }

  function goTo(d) {
    if (!$("panel-form").hidden) {
      const holder = holderFor(d.path);
      const field = holder && (holder.closest(".field, .item, .section") || holder);
      const ctl = field && field.querySelector("[data-path] input, [data-path], input, select, textarea");
      if (ctl) {
        ctl.focus();
        return;
      }
    }
    selectTab("toml");
    const lines = toml.value.split("\n");
    let offset = 0;
    for (let i = 0; i < d.line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    toml.focus();
    toml.setSelectionRange(offset, offset + (lines[d.line - 1] || "").length);
  }

  function showLineDiagnostics() {
    const list = $("toml-diags");
    list.innerHTML = "";
    diagnostics.forEach((d) => {
      const li = document.createElement("li");
      li.className = d.severity;
      li.textContent = `Linje ${d.line}: ${diagText(d)}`;
      list.appendChild(li);
    });
  }

  // The TOML tab edits the same text.
  toml.addEventListener("input", () => {
    text = toml.value;
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => {
      const sent = text;
      enqueue(async () => {
        const data = await post("/api/check", { file: state.file, text: sent });
        showDiagnostics(data.diagnostics);
      });
      schedulePreview();
    }, 300);
  });

  function selectTab(which) {
    const formTab = which === "form";
    $("tab-form").setAttribute("aria-selected", String(formTab));
    $("tab-toml").setAttribute("aria-selected", String(!formTab));
    $("tab-form").tabIndex = formTab ? 0 : -1;
    $("tab-toml").tabIndex = formTab ? -1 : 0;
    $("panel-form").hidden = !formTab;
    $("panel-toml").hidden = formTab;
    if (formTab) refreshForm();
    else toml.value = text;
  }

  function refreshForm() {
    return enqueue(async () => {
      const data = await post("/api/form", { file: state.file, text });
      showForm(data);
      showDiagnostics(data.diagnostics);
    });
  }

  $("tab-form").addEventListener("click", () => selectTab("form"));
  $("tab-toml").addEventListener("click", () => selectTab("toml"));
  document.querySelector("[role=tablist]").addEventListener("keydown", (ev) => {
    if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
    const next = $("tab-form").getAttribute("aria-selected") === "true" ? "toml" : "form";
    selectTab(next);
    $(`tab-${next}`).focus();
  });

  // The preview: pages the browser has are not sent again.
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, 400);
  }

  async function refreshPreview() {
    const sent = text;
    try {
      const data = await post("/api/preview", { file: state.file, text: sent, known: Array.from(pageImages.keys()) });
      if (sent !== text) return;
      $("preview-notice").textContent = data.notice || "";
      if (!data.pages) return;
      const next = new Map();
      const container = $("pages");
      container.innerHTML = "";
      data.pages.forEach((p, i) => {
        const src = p.png ? `data:image/png;base64,${p.png}` : pageImages.get(p.hash);
        next.set(p.hash, src);
        const img = document.createElement("img");
        img.src = src;
        img.alt = `Side ${i + 1} av ${data.pages.length}`;
        img.className = "page";
        img.dataset.hash = p.hash;
        container.appendChild(img);
      });
      pageImages = next;
      container.dataset.pages = String(data.pages.length);
    } catch (e) {
      $("preview-notice").textContent = e.message;
    }
  }

  $("download").addEventListener("click", () =>
    enqueue(async () => {
      const response = await post("/api/pdf", { file: state.file, text });
      const blob = await response.blob();
      const a = document.createElement("a");
      const name = (response.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
      a.href = URL.createObjectURL(blob);
      a.download = name ? name[1] : "avtale.pdf";
      document.body.appendChild(a);
      a.click();
      a.remove();
      say("PDF-en er lastet ned.");
    })
  );

  // Saving: first what changes, in plain words; then the file, unless it changed on disk.
  $("save").addEventListener("click", () =>
    enqueue(async () => {
      const data = await post("/api/changes", { file: state.file, text });
      const box = $("save-changes");
      box.innerHTML = "";
      const list = document.createElement("ul");
      const words = !data.unchanged && data.changes && data.changes.length;
      const lines = data.unchanged ? ["Ingen endringer."] : words ? data.changes : data.lines;
      // The plain-words changes come in the language the server names (screen readers read
      // them in it); changed lines of the file are code.
      if (words && data.language) list.lang = data.language;
      lines.forEach((l) => {
        const li = document.createElement("li");
        li.textContent = l;
        list.appendChild(li);
      });
      box.appendChild(list);
      $("save-dialog").hidden = false;
      $("save-dialog").focus();
    })
  );

  $("cancel-save").addEventListener("click", () => {
    $("save-dialog").hidden = true;
    $("save").focus();
  });

  $("confirm-save").addEventListener("click", () =>
    enqueue(async () => {
      try {
        const data = await post("/api/save", { file: state.file, text, base });
        base = data.sha256;
        say("Lagret.");
      } catch (e) {
        say(e.message);
      }
      $("save-dialog").hidden = true;
      $("save").focus();
    })
  );

  toml.value = text;
  refreshForm();
  schedulePreview();
})();
