/* The crossings table: filters kept in the page URL, pages of 100, CSV/GeoJSON downloads. */
"use strict";

(async () => {
  const { el, json, num, when, trackHref, fail } = AW;
  const form = document.getElementById("filters");
  const fields = ["from", "into", "since", "until", "kind", "bbox"];
  const tbody = document.querySelector("#crossings-table tbody");
  const more = document.getElementById("more");
  let next = null;
  let params = {};

  try {
    const inf = await AW.info();
    for (const name of ["from", "into"]) {
      const sel = document.getElementById("filter-" + name);
      for (const code of inf.codes) sel.append(el("option", { value: code, text: code }));
    }
  } catch (err) {
    fail(err);
  }
  const start = new URL(window.location.href).searchParams;
  for (const name of fields) {
    if (start.has(name)) form.elements[name].value = start.get(name);
  }

  function row(c) {
    return el("tr", {},
      el("td", { text: when(c.time) }),
      el("td", {}, el("a", { href: trackHref(c.track_id), text: c.track_id })),
      el("td", { text: c.from }), el("td", { text: c.to }), el("td", { text: c.kind }),
      el("td", { class: "num", text: num(c.gap_s, 1) }),
      el("td", { class: "num", text: num(c.lon, 5) }), el("td", { class: "num", text: num(c.lat, 5) }),
      el("td", { class: "num", text: num(c.alt_m, 0) }),
      el("td", { text: c.before }), el("td", { text: c.after }),
      el("td", {
        class: "num",
        text: num(c.confidence, 4),
        title: c.evidence
          ? `${c.evidence}: ${num(c.depth_m, 0)} m in, σ ${num(c.sigma_m, 0)} m, border σ ${num(c.boundary_sigma_m, 0)} m`
          : "no report inside",
      }));
  }

  async function load(cursor) {
    AW.banner("");
    try {
      const page = await json("/api/crossings", { ...params, limit: 100, cursor });
      if (!cursor) tbody.replaceChildren();
      for (const c of page.items) tbody.append(row(c));
      next = page.next;
      more.hidden = !next;
      document.getElementById("count").textContent =
        `${page.total} crossing${page.total === 1 ? "" : "s"}` + (next ? ` (showing ${tbody.rows.length})` : "");
      document.getElementById("crossings-table").dataset.ready = "1";
    } catch (err) {
      fail(err);
    }
  }

  function apply() {
    params = {};
    for (const name of fields) {
      const v = form.elements[name].value.trim();
      if (v) params[name] = v;
    }
    const q = new URLSearchParams(params).toString();
    history.replaceState(null, "", window.location.pathname + (q ? "?" + q : ""));
    document.getElementById("dl-csv").href = AW.link("/api/crossings.csv", params);
    document.getElementById("dl-geojson").href = AW.link("/api/crossings.geojson", params);
    document.getElementById("crossings-table").dataset.ready = "";
    return load(null);
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    apply();
  });
  more.addEventListener("click", () => load(next));
  await apply();
})();
