/* The map: airspace base layer, tracks coloured by airspace, crossings, a time window. */
"use strict";

(async () => {
  const { el, json, all, colour, when, trackHref, fail } = AW;
  let inf;
  try {
    inf = await AW.info();
  } catch (err) {
    fail(err);
    return;
  }
  AW.dl(document.getElementById("summary"), [
    ["store", inf.store],
    ["files", inf.files],
    ["reports", inf.reports.toLocaleString("en")],
    ["tracks", inf.tracks],
    ["crossings", inf.crossings],
    ["first", when(inf.time_span && inf.time_span.first)],
    ["last", when(inf.time_span && inf.time_span.last)],
  ]);

  const map = AW.newMap("map", inf);
  if (inf.bbox) {
    const b = inf.bbox;
    map.fitBounds([[b.min_lat, b.min_lon], [b.max_lat, b.max_lon]], { padding: [20, 20] });
  } else {
    map.setView([30, 20], 2);
  }
  AW.airspaceLayer(map, inf)();

  const legend = document.getElementById("legend");
  for (const code of inf.codes) {
    const sw = el("span", { class: "swatch" });
    sw.style.background = colour(inf, code);
    legend.append(el("li", {}, sw, code));
  }
  for (const code of inf.codes) document.getElementById("map-into").append(el("option", { value: code, text: code }));
  for (const id of ["cov-via", "cov-into"]) {
    const sel = document.getElementById(id);
    for (const code of inf.codes.filter((c) => c !== "INTL")) sel.append(el("option", { value: code, text: code }));
  }
  if (inf.cases.length) {
    try {
      const c = await json("/api/cases/" + encodeURIComponent(inf.cases[0]));
      document.getElementById("cov-via").value = c.allegation.via;
      document.getElementById("cov-into").value = c.allegation.into;
    } catch (err) {
      fail(err);
    }
  }

  // ---- time window
  const span = inf.time_span_ms || [0, 1];
  const from = document.getElementById("t-from");
  const to = document.getElementById("t-to");
  const at = (input) => span[0] + (span[1] - span[0]) * (Number(input.value) / 1000);
  const iso = (ms) => new Date(ms).toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, "Z");

  const trackGroup = L.layerGroup().addTo(map);
  const crossingGroup = L.layerGroup().addTo(map);
  let runs = [];
  let marks = [];

  function applyWindow() {
    if (Number(from.value) > Number(to.value)) [from.value, to.value] = [to.value, from.value];
    const lo = at(from);
    const hi = at(to);
    document.getElementById("t-from-text").textContent = iso(lo);
    document.getElementById("t-to-text").textContent = iso(hi);
    const showTracks = document.getElementById("show-tracks").checked;
    const showCrossings = document.getElementById("show-crossings").checked;
    let nRuns = 0;
    let nMarks = 0;
    for (const r of runs) {
      const on = showTracks && r.t1 >= lo && r.t0 <= hi;
      if (on) nRuns += 1;
      if (on !== trackGroup.hasLayer(r.layer)) on ? trackGroup.addLayer(r.layer) : trackGroup.removeLayer(r.layer);
    }
    for (const m of marks) {
      const on = showCrossings && m.t >= lo && m.t <= hi;
      if (on) nMarks += 1;
      if (on !== crossingGroup.hasLayer(m.layer)) on ? crossingGroup.addLayer(m.layer) : crossingGroup.removeLayer(m.layer);
    }
    const tracks = new Set(runs.filter((r) => trackGroup.hasLayer(r.layer)).map((r) => r.id));
    document.getElementById("shown").textContent = `showing ${tracks.size} tracks, ${nMarks} crossings`;
  }
  for (const id of ["t-from", "t-to", "show-tracks", "show-crossings"]) {
    document.getElementById(id).addEventListener("input", applyWindow);
  }
  document.getElementById("t-reset").addEventListener("click", () => {
    from.value = 0;
    to.value = 1000;
    applyWindow();
  });

  function popup(lines, id) {
    const box = el("div", {});
    for (const line of lines) box.append(el("div", { text: line }));
    box.append(el("a", { href: trackHref(id), text: "open track " + id }));
    return box;
  }

  async function loadTracks() {
    const data = await json("/api/tracks.geojson");
    runs = [];
    trackGroup.clearLayers();
    for (const f of data.features) {
      const p = f.properties;
      const layer = L.geoJSON(f, { style: { color: colour(inf, p.airspace), weight: 2.6, opacity: 0.95 } });
      layer.bindPopup(() => popup([`${p.track_id}${p.callsign ? " " + p.callsign : ""}`, `in ${p.airspace}`, `${when(p.t0)} – ${when(p.t1)}`], p.track_id));
      runs.push({ layer, t0: p.t0_ms, t1: p.t1_ms, id: p.track_id });
    }
    if (data.truncated) AW.banner("Too many tracks to draw: showing the first ones. Narrow the window.");
  }

  async function loadCrossings() {
    const into = document.getElementById("map-into").value;
    const items = await all("/api/crossings", { into });
    marks = [];
    crossingGroup.clearLayers();
    for (const c of items) {
      const observed = c.kind === "observed";
      const layer = L.circleMarker([c.lat, c.lon], {
        radius: 6, color: "#111", weight: 1.6, fillColor: colour(inf, c.to), fillOpacity: observed ? 0.95 : 0.1,
      });
      layer.bindPopup(() => popup([`${c.from} → ${c.to}`, when(c.time), `${c.kind}, gap ${c.gap_s.toFixed(0)} s`], c.track_id));
      marks.push({ layer, t: Date.parse(c.time) });
    }
  }

  document.getElementById("map-into").addEventListener("change", async () => {
    try {
      await loadCrossings();
      applyWindow();
    } catch (err) {
      fail(err);
    }
  });

  // ---- coverage of a border
  const covLayer = L.layerGroup().addTo(map);
  const ramp = (f) => `hsl(${Math.round(120 * f)}, 70%, 40%)`;
  document.getElementById("cov-show").addEventListener("click", async () => {
    const via = document.getElementById("cov-via").value;
    const into = document.getElementById("cov-into").value;
    const text = document.getElementById("cov-text");
    text.textContent = "computing…";
    try {
      const cov = await json("/api/coverage", { via, into });
      covLayer.clearLayers();
      for (const s of cov.stretches) {
        L.polyline(s.coordinates.map(([x, y]) => [y, x]), { color: ramp(s.covered_fraction), weight: 6, opacity: 0.85 })
          .bindTooltip(`stretch ${s.index}: seen ${(100 * s.covered_fraction).toFixed(0)} % of the time`, { sticky: true })
          .addTo(covLayer);
      }
      text.textContent = `${via}/${into}: ${(cov.border_length_m / 1000).toFixed(0)} km of border, ` +
        `covered ${(100 * cov.fraction).toFixed(1)} % of ${cov.bins} bins of ${cov.bin_s / 60} min`;
    } catch (err) {
      text.textContent = "";
      fail(err);
    }
  });
  document.getElementById("cov-hide").addEventListener("click", () => {
    covLayer.clearLayers();
    document.getElementById("cov-text").textContent = "";
  });

  try {
    await Promise.all([loadTracks(), loadCrossings()]);
    applyWindow();
    document.getElementById("map").dataset.ready = "1";
  } catch (err) {
    fail(err);
  }
})();
