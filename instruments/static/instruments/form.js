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

  function Pager(form) {
    var pages = Array.prototype.slice.call(form.querySelectorAll(".survey-page"));
    var nav = form.querySelector(".survey-nav");
    var back = nav.querySelector("[data-back]"), next = nav.querySelector("[data-next]");
    var finish = nav.querySelector("[data-finish]"), progress = form.querySelector(".survey-progress");
    var index = 0;
    function visible() { return pages.filter(function (p) { return p.dataset.shown === "1"; }); }
    function show(i) {
      index = i;
      pages.forEach(function (p, j) { p.classList.toggle("current", j === i); });
      var shown = visible(), pos = shown.indexOf(pages[i]);
      back.hidden = pos <= 0;
      next.hidden = pos === shown.length - 1;
      finish.hidden = pos !== shown.length - 1;
      if (progress) progress.value = shown.length ? Math.round(100 * (pos + 1) / shown.length) : 0;
      window.scrollTo(0, 0);
    }
    function step(direction) {
      var answers = refresh(form);
      if (direction > 0 && !checkPage(pages[index], answers)) return;
      for (var i = index + direction; i >= 0 && i < pages.length; i += direction) {
        if (pages[i].dataset.shown === "1") return show(i);
      }
    }
    back.addEventListener("click", function () { step(-1); });
    next.addEventListener("click", function () { step(1); });
    finish.addEventListener("click", function (event) {
      var answers = refresh(form);
      if (!checkPage(pages[index], answers)) { event.preventDefault(); return; }
      form.dispatchEvent(new CustomEvent("survey:finished", { detail: answers, bubbles: true }));
    });
    form.classList.add("paged");
    refresh(form);
    show(Math.max(0, pages.indexOf(visible()[0])));
  }

  function init(form) {
    var source = document.getElementById("survey-messages");
    if (source) messages = JSON.parse(source.textContent);
    form.addEventListener("change", function (event) { onExclusive(event); refresh(form); });
    form.addEventListener("input", function () { refresh(form); });
    if (form.querySelector(".survey-nav")) Pager(form);
    else refresh(form);
  }

  window.SurveyForm = { init: init, refresh: refresh, readItem: readItem };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.survey").forEach(init);
  });
})();
