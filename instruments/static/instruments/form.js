/*
 * The respondent form in the browser: live skip logic, "other, please specify",
 * exclusive options, selection limits, and page-by-page navigation with checks.
 *
 * Semantics follow instruments/validation.py: an item is shown when its page's and its
 * own relevance hold over the answers of *shown* earlier items only, so an answer left on
 * a hidden question never steers later logic. The server re-checks everything; this file
 * only makes the form pleasant and immediate. Needs logic.js (SurveyLogic) and the
 * messages in the form's language as JSON in <script id="survey-messages">.
 */
(function () {
  "use strict";
  var messages = {};
  function t(key) { return messages[key] || key; }
  function fmt(text, values) {
    var i = 0;
    return text.replace(/%s/g, function () { return String(values[i++]); });
  }

  function readItem(el, answers) {
    var code = el.dataset.code, type = el.dataset.type;
    var inputs = el.querySelectorAll("[name]");
    function checked(name) {
      var found = el.querySelector('input[name="' + CSS.escape(name) + '"]:checked');
      return found ? found.value : null;
    }
    if (type === "single" || type === "likert") answers[code] = checked(code);
    else if (type === "multiple") {
      answers[code] = Array.prototype.map.call(
        el.querySelectorAll('input[name="' + CSS.escape(code) + '"]:checked'), function (i) { return i.value; });
    } else if (type === "matrix") {
      el.querySelectorAll("tr[data-row]").forEach(function (row) { answers[row.dataset.row] = checked(row.dataset.row); });
    } else if (type === "ranking") {
      answers[code] = Array.prototype.map.call(el.querySelectorAll("select"), function (s) { return s.value; })
        .filter(function (v) { return v !== ""; });
    } else if (type === "integer" || type === "year" || type === "decimal") {
      var raw = el.querySelector('input[name="' + CSS.escape(code) + '"]').value.trim();
      var num = type === "decimal" ? parseFloat(raw) : parseInt(raw, 10);
      answers[code] = raw === "" || isNaN(num) ? null : num;
    } else if (type === "text" || type === "date") {
      var field = el.querySelector('[name="' + CSS.escape(code) + '"]');
      answers[code] = field && field.value !== "" ? field.value : null;
    }
    if (el.dataset.otherCode) {
      var other = el.querySelector('input[name="' + CSS.escape(el.dataset.otherCode) + '"]');
      answers[el.dataset.otherCode] = other && other.value !== "" ? other.value : null;
    }
    return inputs;
  }

  function holds(expr, answers, current) {
    if (!expr) return true;
    try { return SurveyLogic.isTrue(SurveyLogic.evaluate(expr, answers, current)); }
    catch (e) { return true; }  // a broken condition never hides a question
  }

  function setShown(el, shown) {
    el.hidden = !shown;
    el.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !shown; });
  }

  function refresh(form) {
    var shownAnswers = {};
    form.querySelectorAll(".survey-page").forEach(function (page) {
      var pageShown = holds(page.dataset.relevant, shownAnswers);
      page.dataset.shown = pageShown ? "1" : "0";
      page.querySelectorAll(".q").forEach(function (q) {
        var shown = pageShown && holds(q.dataset.relevant, shownAnswers);
        setShown(q, shown);
        if (shown) readItem(q, shownAnswers);
        syncOther(q);
        syncLimits(q);
      });
    });
    form.dispatchEvent(new CustomEvent("survey:refreshed", { detail: shownAnswers, bubbles: true }));
    return shownAnswers;
  }

  function syncOther(q) {
    if (!q.dataset.otherCode) return;
    var box = q.querySelector(".other-specify");
    var chosen = q.querySelector("input[data-other]:checked");
    var show = !q.hidden && !!chosen;
    box.hidden = !show;
    box.querySelectorAll("input").forEach(function (i) { i.disabled = !show; });
  }

  function syncLimits(q) {
    var max = parseInt(q.dataset.maxChoices || "0", 10);
    if (q.dataset.type !== "multiple" || !max || q.hidden) return;
    var boxes = q.querySelectorAll('input[type="checkbox"]');
    var count = q.querySelectorAll('input[type="checkbox"]:checked').length;
    boxes.forEach(function (b) { if (!b.checked) b.disabled = count >= max; });
  }

  function onExclusive(event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.checked) return;
    var q = box.closest(".q");
    q.querySelectorAll('input[type="checkbox"]').forEach(function (other) {
      if (other === box) return;
      if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) other.checked = false;
    });
  }

  function check(q, answers) {
    var code = q.dataset.code, type = q.dataset.type, value = answers[code];
    var empty = value === null || value === undefined || (Array.isArray(value) && value.length === 0);
    if (type === "matrix") {
      var rows = Array.prototype.map.call(q.querySelectorAll("tr[data-row]"), function (r) { return answers[r.dataset.row]; });
      var answered = rows.filter(function (v) { return v !== null; }).length;
      empty = answered === 0;
      if (q.dataset.required && answered > 0 && answered < rows.length) return t("matrixIncomplete");
    }
    if (q.dataset.required && empty) return t("required");
    if (empty) return "";
    var min = parseInt(q.dataset.minChoices || "0", 10), max = parseInt(q.dataset.maxChoices || "0", 10);
    if (type === "multiple" && min && value.length < min) return fmt(t("minChoices"), [min]);
    if (type === "multiple" && max && value.length > max) return fmt(t("maxChoices"), [max]);
    if (type === "ranking" && new Set(value).size !== value.length) return t("rankTwice");
    var input = q.querySelector('input[type="number"]');
    if (input && !input.checkValidity()) return input.validationMessage;
    if (q.dataset.otherCode && q.querySelector("input[data-other]:checked") && !answers[q.dataset.otherCode])
      return t("specifyOther");
    if (q.dataset.constraint && !holds(q.dataset.constraint, answers, type === "matrix" ? null : value))
      return q.dataset.constraintMessage || t("constraint");
    return "";
  }

  function checkPage(page, answers) {
    var ok = true, first = null;
    page.querySelectorAll(".q").forEach(function (q) {
      var box = q.querySelector(".q-error");
      if (!box) return;
      var problem = q.hidden ? "" : check(q, answers);
      box.textContent = problem;
      box.hidden = !problem;
      q.classList.toggle("has-error", !!problem);
      if (problem && ok) { ok = false; first = q; }
    });
    if (first) first.scrollIntoView({ behavior: "smooth", block: "center" });
    return ok;
  }

  /*
   * Page-by-page navigation over a form holding every page (.survey-page sections).
   * options.start: the code of the page to show first (else the first visible page);
   * options.save(section, action): called instead of moving forward / finishing, for the
   * respondent form, which saves each page on the server first;
   * options.onShow(section, position, count): after a page is shown.
   */
  function Pager(form, options) {
    options = options || {};
    var pages = Array.prototype.slice.call(form.querySelectorAll(".survey-page"));
    var nav = form.querySelector(".survey-nav, .resp-nav");
    var back = nav.querySelector("[data-back]"), next = nav.querySelector("[data-next]");
    var finish = nav.querySelector("[data-finish]"), progress = form.querySelector(".survey-progress");
    var index = 0;
    function visible() { return pages.filter(function (p) { return p.dataset.shown === "1"; }); }
    function show(i) {
      index = i;
      pages.forEach(function (p, j) {
        p.classList.toggle("current", j === i);
        var fields = p.querySelector(":scope > .page-fields");
        if (fields) fields.disabled = j !== i;  // only the current page is posted
      });
      var shown = visible(), pos = shown.indexOf(pages[i]), count = shown.length;
      if (pos < 0) { pos = shown.filter(function (p) { return pages.indexOf(p) < i; }).length; count += 1; }
      back.hidden = pos <= 0;
      next.hidden = pos === count - 1;
      finish.hidden = pos !== count - 1;
      if (progress) progress.value = count ? Math.round(100 * (pos + 1) / count) : 0;
      if (options.onShow) options.onShow(pages[i], pos, count);
      window.scrollTo(0, 0);
    }
    function step(direction) {
      var answers = refresh(form);
      if (direction > 0 && !checkPage(pages[index], answers)) return;
      if (direction > 0 && options.save) return options.save(pages[index], "next");
      for (var i = index + direction; i >= 0 && i < pages.length; i += direction) {
        if (pages[i].dataset.shown === "1") return show(i);
      }
    }
    back.addEventListener("click", function (event) { event.preventDefault(); step(-1); });
    next.addEventListener("click", function (event) { event.preventDefault(); step(1); });
    finish.addEventListener("click", function (event) {
      var answers = refresh(form);
      if (!checkPage(pages[index], answers)) { event.preventDefault(); return; }
      if (options.save) { event.preventDefault(); options.save(pages[index], "submit"); return; }
      form.dispatchEvent(new CustomEvent("survey:finished", { detail: answers, bubbles: true }));
    });
    form.classList.add("paged");
    refresh(form);
    function byCode(code) {
      return pages.filter(function (p) { return p.dataset.page === code; })[0] || null;
    }
    var start = options.start ? pages.indexOf(byCode(options.start)) : -1;
    show(start >= 0 ? start : Math.max(0, pages.indexOf(visible()[0])));
    return {
      current: function () { return pages[index]; },
      page: byCode,
      show: function (code) {
        var i = pages.indexOf(byCode(code));
        if (i >= 0) { refresh(form); show(i); }
        return i >= 0;
      },
      buttons: [back, next, finish]
    };
  }

  /*
   * The respondent form with JavaScript: every page is in the document; "Save and
   * continue" posts the current page's fields to its own URL with fetch and shows the
   * page the server names, without loading a page. Without JavaScript the same form
   * posts page by page (the server hides and disables every page but the current one).
   */
  var RETRIES = 3, BACKOFF_MS = 600;

  function respondentNav(form) {
    // Without JavaScript the server renders only the buttons the current page needs.
    var nav = form.querySelector(".resp-nav");
    function button(attribute, action, label, primary) {
      var found = nav.querySelector("[" + attribute + "]");
      if (found) return found;
      var made = document.createElement("button");
      made.type = "submit";
      made.name = "action";
      made.value = action;
      made.textContent = nav.getAttribute(label);
      made.setAttribute(attribute, "");
      if (primary) made.className = "primary";
      return made;
    }
    nav.prepend(button("data-back", "back", "data-label-back", false),
      button("data-next", "next", "data-label-next", true),
      button("data-finish", "submit", "data-label-submit", true));
  }

  /* POST a page; resolves with [response, JSON body] or rejects after the retries. */
  function post(address, payload) {
    function attempt(left, resolve, reject) {
      fetch(address, {
        method: "POST", body: payload, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (reply) {
        if (reply.status >= 500) throw new Error("server error " + reply.status);
        return reply.json().then(function (data) { return [reply, data]; }, function () { return [reply, {}]; });
      }).then(resolve, function (error) {
        if (left <= 1) return reject(error);
        setTimeout(function () { attempt(left - 1, resolve, reject); }, BACKOFF_MS * Math.pow(2, RETRIES - left));
      });
    }
    return new Promise(function (resolve, reject) { attempt(RETRIES, resolve, reject); });
  }

  function Respondent(form) {
    var base = form.dataset.respondent;
    var formError = document.getElementById("form-error");
    var status = form.querySelector(".resp-saving");
    var pageText = document.querySelector(".resp-progress-text");
    var progress = document.querySelector(".survey-progress");
    var cut = document.title.indexOf(" · "), titleEnd = cut >= 0 ? document.title.slice(cut) : "";
    var languageNext = document.querySelector(".resp-lang input[name=next]");
    var shownAt = Date.now(), busy = false, pager;
    function url(code) { return base + encodeURIComponent(code) + "/"; }

    form.querySelectorAll(".survey-page[hidden]").forEach(function (p) { p.hidden = false; });
    respondentNav(form);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("keydown", function (event) {
      // Enter in a field would "click" the first button (Previous): never move by accident.
      if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
    });

    function setError(text, quiet) {
      formError.textContent = text || "";
      formError.hidden = !text;
      if (text && !quiet) formError.scrollIntoView({ behavior: "smooth", block: "center" });
    }
    function setBusy(on) {
      busy = on;
      form.setAttribute("aria-busy", on ? "true" : "false");
      pager.buttons.forEach(function (b) { b.disabled = on; });
      status.textContent = on ? t("saving") : "";
      status.hidden = !on;
    }
    function onShow(section, pos, count) {
      var code = section.dataset.page, title = section.querySelector(".page-title");
      shownAt = Date.now();
      if (pageText) pageText.textContent = t("pageOf").replace("%(n)s", pos + 1).replace("%(total)s", count);
      if (progress) progress.value = Math.round(100 * pos / Math.max(count, 1));
      if (title && titleEnd) document.title = title.textContent + titleEnd;
      if (!history.state || history.state.page !== code) history.replaceState({ page: code }, "", url(code));
      if (languageNext) languageNext.value = url(code);  // switching language keeps the page
    }
    function showErrors(section, errors) {
      section.querySelectorAll(".q").forEach(function (q) {
        var box = q.querySelector(".q-error"), problem = errors[q.dataset.code] || "";
        if (!box) return;
        box.textContent = problem;
        box.hidden = !problem;
        q.classList.toggle("has-error", !!problem);
      });
      var first = section.querySelector(".q.has-error");
      if (first) first.scrollIntoView({ behavior: "smooth", block: "center" });
    }
    function payload(section, action) {
      var data = new FormData(form);  // only the current page's fieldset is enabled
      data.set("form_state", section.dataset.formState);
      data.set("action", action);
      data.set("elapsed", String(Math.max(0, Math.round((Date.now() - shownAt) / 1000))));
      return new URLSearchParams(data);
    }
    function handle(section, action, reply, data) {
      if (reply.ok && data.done) return window.location.assign(data.done);
      if (reply.ok && data.page) {
        history.pushState({ page: data.page }, "", url(data.page));
        if (!pager.show(data.page)) window.location.assign(url(data.page));
        return;
      }
      if (data.problem) {
        // Refused: the server's page explains why. A repeated submit whose first reply
        // was lost is refused as "already submitted": that submit was stored.
        var done = action === "submit" && data.problem === "done";
        return window.location.assign(done ? form.dataset.done : url(section.dataset.page));
      }
      if (!data.errors) return setError(t("notSaved"));
      var target = (data.page && pager.page(data.page)) || section;
      if (target !== section) pager.show(data.page);
      var marked = Object.keys(data.errors).length > 0;
      setError(data.form_error || (marked ? t("checkHighlighted") : t("notSaved")), marked);
      showErrors(target, data.errors);  // scrolls to the first marked question
    }
    function save(section, action) {
      if (busy) return;
      setError("");
      var body = payload(section, action);
      setBusy(true);
      post(url(section.dataset.page), body).then(function (result) {
        setBusy(false);
        handle(section, action, result[0], result[1]);
      }, function () {
        setBusy(false);
        setError(t("notSaved"));  // what was typed stays in the form
      });
    }

    pager = Pager(form, { start: form.dataset.page, save: save, onShow: onShow });
    window.addEventListener("popstate", function (event) {
      if (event.state && event.state.page && !busy) pager.show(event.state.page);
    });
  }

  function init(form) {
    var source = document.getElementById("survey-messages");
    if (source) messages = JSON.parse(source.textContent);
    form.addEventListener("change", function (event) { onExclusive(event); refresh(form); });
    form.addEventListener("input", function () { refresh(form); });
    if (form.dataset.respondent && window.fetch && window.URLSearchParams) Respondent(form);
    else if (form.querySelector(".survey-nav")) Pager(form);
    else refresh(form);
  }

  window.SurveyForm = { init: init, refresh: refresh, readItem: readItem };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.survey").forEach(init);
    // The moment the form answers to input (read by bench/respondent_first_view.py and
    // the browser tests, which wait for the attribute: no script evaluation needed).
    if (window.performance && performance.mark) performance.mark("survey-ready");
    document.documentElement.setAttribute("data-survey-ready", "1");
  });
})();
