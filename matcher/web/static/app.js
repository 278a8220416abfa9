// rolematch page: paste or open a text, POST /api/match, render the MatchResult.
// Safety rule: every value from the user or the corpus goes into the page through textContent
// (or template clones filled with textContent); never innerHTML.
"use strict";

(() => {
  const MAX_BODY_BYTES = 1_000_000;
  const MAX_FILE_BYTES = 1_000_000; // text files are read here
  const MAX_UPLOAD_BYTES = 10_000_000; // PDF and Word files are read by the server

  const $ = (id) => document.getElementById(id);
  const form = $("match-form");
  const textarea = $("resume");
  const count = $("resume-count");
  const fileButton = $("file-button");
  const fileInput = $("file-input");
  const topSelect = $("top");
  const matchButton = $("match-button");
  const formError = $("form-error");
  const results = $("results");
  const liveStatus = $("live-status");
  const placeholder = $("placeholder");
  const summary = $("summary");
  const roleList = $("role-list");
  const modelLine = $("model-line");
  const roleTemplate = $("role-template");
  const pairTemplate = $("pair-template");
  const whereNext = $("where-next");
  const whereNow = $("where-now");
  const hybridNote = $("hybrid-note");
  const moveList = $("move-list");
  const moveTemplate = $("move-template");
  const fileChip = $("file-chip");
  const fileName = $("file-name");
  const fileClear = $("file-clear");
  const staleNote = $("stale-note");
  let pendingFile = null; // a PDF or .docx to send as multipart on Match

  // as matcher.results.percent: nearly sure is ">99%", nearly ruled out "<1%", never a rounded 100% or 0%
  const pct = (x) => (x < 0.005 ? "<1%" : x >= 0.995 ? ">99%" : `${Math.round(100 * x)}%`);
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  // as matcher.results.MatchResult.spread_line (SPREAD_NOTE, CLEAR_ROLE; a test holds them to the same text):
  // the result fits the catalog, but its top role is under 50%
  const CLEAR_ROLE = 0.5;
  const SPREAD_NOTE = "no single role is clear: the chance that some role fits ({fit}) is spread over several roles";
  const spreadLine = (result) =>
    result.abstain || !result.roles.length || result.roles[0].confidence >= CLEAR_ROLE
      ? null
      : SPREAD_NOTE.replace("{fit}", result.fit.toFixed(2));

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  // ------------------------------------------------------------------ input

  function updateCount() {
    const n = textarea.value.length;
    const words = textarea.value.trim() ? textarea.value.trim().split(/\s+/).length : 0;
    count.textContent = `${n.toLocaleString()} characters · ${words.toLocaleString()} words`;
  }

  function showError(message) {
    formError.textContent = message;
    formError.hidden = !message;
  }

  // Results on screen that no longer match the input are marked out of date until the next Match.
  function markStale() {
    if (placeholder.hidden && !results.classList.contains("stale")) {
      results.classList.add("stale");
      staleNote.hidden = false;
    }
  }

  function setPendingFile(file) {
    pendingFile = file;
    fileChip.hidden = !file;
    fileName.textContent = file ? `${file.name} (${Math.max(1, Math.round(file.size / 1000))} KB) will be read when you press Match.` : "";
  }

  async function loadFile(file) {
    if (!file) return;
    markStale();
    const binary = /\.(pdf|docx)$/i.test(file.name) ||
      /^application\/(pdf|vnd\.openxmlformats-officedocument\.wordprocessingml\.document)$/.test(file.type);
    if (/\.doc$/i.test(file.name)) {
      showError(`“${file.name}” is a legacy Word .doc file; open it in Word or LibreOffice and save it as .docx or PDF.`);
      return;
    }
    if (!binary && !/\.(txt|md|markdown)$/i.test(file.name) && !/^text\//.test(file.type)) {
      showError(`“${file.name}” is not a PDF, Word (.docx), .txt or .md file; save the resume in one of those.`);
      return;
    }
    const limit = binary ? MAX_UPLOAD_BYTES : MAX_FILE_BYTES;
    if (file.size > limit) {
      showError(`“${file.name}” is ${(file.size / 1e6).toFixed(1)} MB; the limit is ${limit / 1e6} MB.`);
      return;
    }
    if (binary) {
      textarea.value = "";
      updateCount();
      setPendingFile(file);
      showError("");
      matchButton.focus();
      return;
    }
    try {
      textarea.value = await file.text();
      setPendingFile(null);
      showError("");
      updateCount();
      textarea.focus();
    } catch {
      showError(`Could not read “${file.name}”.`);
    }
  }

  fileButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    loadFile(fileInput.files[0]);
    fileInput.value = "";
  });
  textarea.addEventListener("input", () => {
    updateCount();
    markStale();
    if (textarea.value) setPendingFile(null);
  });
  fileClear.addEventListener("click", () => {
    setPendingFile(null);
    markStale();
    textarea.focus();
  });
  textarea.addEventListener("dragover", (event) => {
    event.preventDefault();
    textarea.classList.add("dragging");
  });
  textarea.addEventListener("dragleave", () => textarea.classList.remove("dragging"));
  textarea.addEventListener("drop", (event) => {
    event.preventDefault();
    textarea.classList.remove("dragging");
    if (event.dataTransfer.files.length) loadFile(event.dataTransfer.files[0]);
  });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // ------------------------------------------------------------------ request

  function setBusy(busy) {
    matchButton.disabled = busy;
    matchButton.classList.toggle("busy", busy);
    matchButton.querySelector(".button-label").textContent = busy ? "Matching…" : "Match";
    results.setAttribute("aria-busy", String(busy));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = textarea.value;
    if (!pendingFile && !text.trim()) {
      showError("Paste a resume or a short bio first, or open a PDF or Word file (a few sentences are enough).");
      textarea.focus();
      return;
    }
    let body;
    let headers = { Accept: "application/json" };
    if (pendingFile) {
      body = new FormData();
      body.append("file", pendingFile, pendingFile.name);
      body.append("top", topSelect.value);
      body.append("paths", "true");
    } else {
      body = JSON.stringify({ text, top: Number(topSelect.value), paths: true });
      headers = { ...headers, "Content-Type": "application/json" };
      if (new Blob([body]).size > MAX_BODY_BYTES) {
        showError("The text is over 1 MB; paste the resume itself, not a whole document archive.");
        return;
      }
    }
    showError("");
    setBusy(true);
    liveStatus.textContent = "Matching…";
    try {
      const response = await fetch("/api/match", {
        method: "POST",
        headers,
        body,
      });
      const data = await response.json().catch(() => null);
      if (!response.ok) {
        const detail = data && typeof data.detail === "string" ? data.detail : `the server answered ${response.status}`;
        showError(detail.charAt(0).toUpperCase() + detail.slice(1));
        liveStatus.textContent = "Matching failed.";
        return;
      }
      render(data);
    } catch {
      showError("Could not reach the rolematch server. Is “rolematch serve” still running?");
      liveStatus.textContent = "Matching failed.";
    } finally {
      setBusy(false);
    }
  });

  // ------------------------------------------------------------------ results

  function renderSummary(result) {
    summary.replaceChildren();
    summary.classList.toggle("abstain", result.abstain);
    const best = result.roles[0];
    if (result.abstain) {
      summary.append(el("h2", "No strong fit"));
      summary.append(el("p", "This text does not fit any role of the catalog well " +
        `(fit ${result.fit.toFixed(2)}). The closest roles are listed below, marked weak: read them as ` +
        "hints, not answers."));
      const occ = result.closest_occupation;
      if (occ) {
        summary.append(el("p", `Closest occupation: ${occ.title} (${occ.code}), outside this catalog.`));
      }
    } else {
      summary.append(el("h2", `Best fit: ${best.title}`));
      summary.append(el("p", `${pct(best.confidence)} confidence · catalog fit ${result.fit.toFixed(2)} · ` +
        `${result.n_sentences} sentence${result.n_sentences === 1 ? "" : "s"} read`));
      const spread = spreadLine(result);
      if (spread) summary.append(el("p", `${spread[0].toUpperCase()}${spread.slice(1)}.`, "spread-note"));
    }
    summary.append(el("p", result.confidence_calibrated === false
      ? `Confidence is ${result.confidence_note || "not calibrated"}: a share among the roles scaled by fit, ` +
        "not a measured probability."
      : "Confidence is the chance a role is right, counting the chance that none fits: it is never above " +
        "the catalog fit.", "confidence-note"));
    if (result.role_set && result.role_set.length && result.coverage) {
      const titles = result.role_set.map((id) => (result.roles.find((r) => r.id === id) || { title: id }).title);
      summary.append(el("p", `With ${pct(result.coverage)} coverage, the right role is among: ${titles.join(", ")}.`));
    }
    if (result.warnings && result.warnings.length) {
      const list = el("ul");
      for (const warning of result.warnings) list.append(el("li", warning));
      summary.append(list);
    }
    summary.hidden = false;
  }

  function renderPair(quote) {
    const node = pairTemplate.content.firstElementChild.cloneNode(true);
    node.querySelector(".quote-text").textContent = `“${quote.text}”`;
    node.querySelector(".quote-title").textContent = quote.title;
    node.querySelector(".quote-section").textContent = quote.section;
    node.querySelector(".quote").title = `${quote.source}, characters ${quote.start}–${quote.end}`;
    const yours = node.querySelector(".yours");
    if (quote.matched) {
      yours.querySelector("mark").textContent = quote.matched.text;
    } else {
      yours.remove();
    }
    return node;
  }

  function renderRole(role, rank) {
    const node = roleTemplate.content.firstElementChild.cloneNode(true);
    node.classList.toggle("weak", role.weak);
    node.dataset.role = role.id;
    node.querySelector(".rank").textContent = String(rank);
    node.querySelector(".role-title").textContent = role.title;
    node.querySelector(".weak-badge").hidden = !role.weak;
    node.querySelector(".confidence-value").textContent = pct(role.confidence);
    const title = role.title_match;
    if (title && title.score >= 0.6) {
      const where = title.occupation_title && title.occupation_title !== title.matched
        ? ` (${title.occupation_title})` : "";
      const line = el("p", `Your title ‘${title.text}’ ↔ ${title.matched}${where}`);
      line.className = "title-match";
      node.querySelector(".role-title").after(line);
    }
    // One number per role: the confidence, as the percentage above and as this bar (the ranking
    // score stays in the JSON).
    node.querySelector(".confidence-bar").setAttribute("aria-label", `${pct(role.confidence)} confidence`);
    const fill = node.querySelector(".confidence-fill");
    requestAnimationFrame(() => { fill.style.width = `${Math.max(1, Math.round(100 * role.confidence))}%`; });

    const why = node.querySelector(".why");
    const n = role.quotes.length;
    node.querySelector(".why-label").textContent = n
      ? `Why: ${n} passage${n === 1 ? "" : "s"} from the articles`
      : "No supporting passages";
    why.open = rank === 1 || (rank <= 3 && !role.weak);
    const pairs = node.querySelector(".pairs");
    for (const quote of role.quotes) pairs.append(renderPair(quote));

    const shown = new Set(role.quotes.filter((q) => q.matched).map((q) => q.matched.text));
    const extra = (role.evidence || []).filter((e) => !shown.has(e.text));
    if (extra.length) {
      const list = node.querySelector(".evidence-list");
      for (const evidence of extra) {
        const item = el("li");
        item.append(el("mark", evidence.text));
        list.append(item);
      }
      node.querySelector(".more-evidence").hidden = false;
    }
    return node;
  }

  // ------------------------------------------------------------------ where next (career paths)

  function articleQuote(quote) {
    const figure = el("figure", undefined, "quote");
    figure.append(el("blockquote", `“${quote.text}”`, "quote-text"));
    const caption = el("figcaption");
    caption.append(el("span", quote.title, "quote-title"));
    figure.append(caption);
    figure.title = `${quote.source}, characters ${quote.start}–${quote.end}`;
    return figure;
  }

  function quoteItems(quotes) {
    return quotes.map((quote) => {
      const item = el("li");
      item.append(articleQuote(quote));
      return item;
    });
  }

  function renderWhereNow(paths) {
    const current = paths.current;
    const line = el("p");
    if (current.weak) {
      line.append("Your text is closest to ", el("strong", current.title),
        ", but only weakly: read the moves from there as hints.");
    } else {
      line.append("Your closest role now: ", el("strong", current.title),
        ` (${pct(current.confidence)} confidence).`);
      if (paths.moves.length) line.append(" The articles describe these moves from there.");
    }
    const parts = [line];
    if (paths.also_close.length) {
      const titles = paths.also_close.map((role) => role.title).join(", ");
      parts.push(el("p", `Also close: ${titles}; moves from there are included.`, "where-also"));
    }
    if (paths.note) parts.push(el("p", paths.note, "paths-note"));
    whereNow.replaceChildren(...parts);
  }

  function renderHybrid(hybrid) {
    hybridNote.hidden = !hybrid;
    if (!hybrid) {
      hybridNote.replaceChildren();
      return;
    }
    const quotes = el("ul", undefined, "source-list");
    quotes.append(...quoteItems(hybrid.quotes));
    hybridNote.replaceChildren(el("h3", "A hybrid profile"), el("p", hybrid.note), quotes);
  }

  // Skills that share a passage (the person's sentence, or an article quote) are shown once, together.
  function bySource(items, sourceOf) {
    const groups = new Map();
    items.forEach((item, i) => {
      const source = sourceOf(item);
      const key = source ? `${source.source || ""}:${source.start}:${source.end}` : `none:${i}`;
      if (!groups.has(key)) groups.set(key, { skills: [], source });
      groups.get(key).skills.push(item.skill);
    });
    return [...groups.values()];
  }

  function strengthItem({ skills, source }) {
    const item = el("li", undefined, "strength");
    item.append(el("p", skills.join(" · "), "skill"));
    if (source) {
      const yours = el("p", undefined, "yours-text");
      yours.append(el("mark", source.text));
      item.append(yours);
    }
    return item;
  }

  function gapItem({ skills, source }) {
    const item = el("li", undefined, "gap");
    const skill = el("p", skills.join(" · "), "skill");
    item.append(skill);
    if (source) {
      item.append(articleQuote(source));
    } else {
      const tag = el("span", "role signal", "signal-tag");
      tag.title = "One of the role's signals in the catalog; no article passage names it.";
      skill.append(" ", tag);
    }
    return item;
  }

  function renderMove(move, index, currentId, titles) {
    const node = moveTemplate.content.firstElementChild.cloneNode(true);
    node.dataset.role = move.to;
    node.querySelector(".move-title").textContent = move.title;
    node.querySelector(".hybrid-badge").hidden = move.kind !== "hybrid";
    const from = move.from === currentId ? "" : ` · from ${titles.get(move.from) || move.from}`;
    node.querySelector(".move-signals").textContent =
      `your text shows ${move.signals_shown} of ${plural(move.signals_total, "signal")}${from}`;
    node.querySelector(".move-reason").textContent = move.reason;
    node.querySelector(".chips").append(...move.requires.map((phrase) => el("li", phrase)));

    const { strengths, gaps, quotes } = move;
    const label = [
      strengths.length ? plural(strengths.length, "strength") : "",
      gaps.length ? plural(gaps.length, "gap") : "",
      `${plural(quotes.length, "passage")} from the articles`,
    ];
    node.querySelector(".why-label").textContent = label.filter(Boolean).join(" · ");
    node.querySelector(".move-why").open = index === 0;
    node.querySelector(".strength-list").append(...bySource(strengths, (s) => s.evidence).map(strengthItem));
    node.querySelector(".strengths").hidden = !strengths.length;
    node.querySelector(".gap-list").append(...bySource(gaps, (g) => g.quote).map(gapItem));
    node.querySelector(".gaps").hidden = !gaps.length;
    node.querySelector(".sources .source-list").append(...quoteItems(quotes));
    return node;
  }

  function renderPaths(paths) {
    whereNext.hidden = !paths;
    if (!paths) {
      moveList.replaceChildren();
      return;
    }
    const titles = new Map(paths.also_close.map((role) => [role.id, role.title]));
    renderWhereNow(paths);
    renderHybrid(paths.hybrid);
    moveList.replaceChildren(...paths.moves.map((move, i) => renderMove(move, i, paths.current.id, titles)));
  }

  function render(result) {
    placeholder.hidden = true;
    renderSummary(result);
    roleList.replaceChildren(...result.roles.map((role, i) => renderRole(role, i + 1)));
    renderPaths(result.paths);
    const calibration = result.confidence_calibrated === false
      ? ` · confidence ${result.confidence_note || "not calibrated"}`
      : "";
    const catalogName = result.catalog ? `catalog ${result.catalog} · ` : "";
    modelLine.textContent =
      `${catalogName}model ${result.model_version} · ${plural(result.n_chunks, "chunk")}${calibration}`;
    modelLine.hidden = false;
    const best = result.roles[0];
    const ranked = result.abstain
      ? `No strong fit. ${result.roles.length} weak roles listed.`
      : `${result.roles.length} roles ranked. Best fit: ${best.title}, ${pct(best.confidence)} confidence.`;
    const moves = result.paths && result.paths.moves.length
      ? ` Where next: ${plural(result.paths.moves.length, "move")} from ${result.paths.current.title}.`
      : "";
    liveStatus.textContent = ranked + moves;
    results.classList.remove("stale");
    staleNote.hidden = true;
    // On a phone the results start below the fold: bring them up and move focus there, so that
    // sighted and screen-reader users alike notice the answer (the live region announces it).
    const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    results.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
    results.focus({ preventScroll: true });
  }

  // The catalog this server matches against: its name and its roles (GET /api/catalog).
  async function loadCatalog() {
    try {
      const response = await fetch("/api/catalog", { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const catalog = await response.json();
      $("catalog-name").textContent = catalog.name;
      $("catalog-roles").replaceChildren(
        ...catalog.roles.map((role) => {
          const item = document.createElement("li");
          item.textContent = role.title;
          item.title = role.id;
          return item;
        }),
      );
      $("catalog-count").textContent = plural(catalog.roles.length, "role");
      const note = $("catalog-calibration");
      note.textContent = catalog.confidence_calibrated
        ? ""
        : `Confidence is ${catalog.confidence_note}: read it as a share among the roles, not a probability.`;
      note.hidden = catalog.confidence_calibrated;
      $("catalog").hidden = false;
    } catch (error) {
      // the page still works without the catalog line
    }
  }

  loadCatalog();
  updateCount();
})();
