/* The case given at start-up: verdict, reason, findings, coverage, evidence, report link. */
"use strict";

(async () => {
  const { el, json, num, when, trackHref, fail } = AW;
  let page;
  try {
    page = await json("/api/cases");
  } catch (err) {
    fail(err);
    return;
  }
  const list = document.getElementById("case-list");
  if (!page.items.length) {
    list.append(el("p", { text: "No case: start the server with --case CASE.yaml to see a verdict here." }));
    return;
  }
  const wanted = new URL(window.location.href).searchParams.get("id");
  const chosen = page.items.find((c) => c.id === wanted) || page.items[0];
  if (page.items.length > 1) {
    for (const c of page.items) list.append(el("p", {}, el("a", { href: "/cases?id=" + encodeURIComponent(c.id), text: c.title })));
  }
  let c;
  try {
    c = await json("/api/cases/" + encodeURIComponent(chosen.id));
  } catch (err) {
    fail(err);
    return;
  }
  document.getElementById("case-title").textContent = c.title;
  const verdict = document.getElementById("verdict");
  verdict.textContent = c.verdict.replace("_", " ");
  verdict.classList.add(c.verdict);
  document.getElementById("verdict-reason").textContent = c.verdict_reason;
  document.getElementById("report-link").href = AW.link(c.report_html);
  document.getElementById("json-link").href = AW.link("/api/cases/" + encodeURIComponent(c.id));
  const a = c.allegation;
  AW.dl(document.getElementById("allegation"), [
    ["into", a.into], ["via", a.via], ["since", a.since], ["until", a.until],
    ["aircraft", Array.isArray(a.aircraft) ? a.aircraft.join(", ") : a.aircraft], ["operator", a.operator],
    ["window (UTC)", a.window_utc.map(when).join(" – ")],
  ]);
  AW.dl(document.getElementById("numbers"), Object.entries(c.numbers));

  const findings = document.querySelector("#findings tbody");
  for (const f of c.findings) {
    findings.append(el("tr", {},
      el("td", { text: when(f.time) }),
      el("td", {}, el("a", { href: trackHref(f.track_id), text: f.track_id })),
      el("td", { text: f.class }), el("td", { text: f.from }), el("td", { text: f.to }),
      el("td", { text: f.kind }), el("td", { class: "num", text: num(f.gap_s, 1) }),
      el("td", { class: "num", text: num(f.lon, 5) }), el("td", { class: "num", text: num(f.lat, 5) }),
      el("td", { class: "num", text: num(f.alt_m, 0) }), el("td", { text: f.before }), el("td", { text: f.after })));
  }
  if (!c.findings.length) findings.append(el("tr", {}, el("td", { colspan: 12, text: "none" })));
  const suspect = document.querySelector("#suspect tbody");
  for (const f of c.suspect) {
    suspect.append(el("tr", {},
      el("td", { text: when(f.time) }),
      el("td", {}, el("a", { href: trackHref(f.track_id), text: f.track_id })),
      el("td", { text: f.from }), el("td", { text: f.to }), el("td", { text: f.kind })));
  }
  if (!c.suspect.length) suspect.append(el("tr", {}, el("td", { colspan: 5, text: "none" })));
  const cov = c.coverage;
  document.getElementById("coverage").textContent =
    `${(100 * cov.fraction).toFixed(1)} % of (stretch, ${cov.bin_min}-min bin) cells along ` +
    `${(cov.border_length_m / 1000).toFixed(0)} km of the ${a.via}/${a.into} border had a report within ` +
    `${cov.radius_km} km (threshold ${(100 * c.thresholds.coverage_threshold).toFixed(0)} %).`;
  const inputs = document.querySelector("#inputs tbody");
  for (const f of c.inputs) {
    inputs.append(el("tr", {},
      el("td", { text: f.path }), el("td", { text: f.format }), el("td", { class: "num", text: f.records }),
      el("td", { class: "num", text: f.accepted }), el("td", { text: f.sha256 || "" })));
  }
  document.getElementById("case-body").hidden = false;
  document.getElementById("case-body").dataset.ready = "1";
})();
