/* The live map: tracks moving and crossings appearing as a watch sees them (server-sent events). */
"use strict";

(async () => {
  const { el, colour, when, fail } = AW;
  let inf;
  try {
    inf = await AW.info();
  } catch (err) {
    fail(err);
    return;
  }
  const map = AW.newMap("map", inf);
  map.setView([30, 20], 2);
  AW.airspaceLayer(map, inf)();

  const lines = new Map(); // track_id -> polyline
  const markers = new Map(); // crossing identity -> circle marker
  const items = new Map(); // crossing identity -> list item
  const list = document.getElementById("live-alerts");
  const summary = document.getElementById("live-summary");
  let positions = 0;
  let alerts = 0;
  let fitted = false;

  function showSummary(sources) {
    AW.dl(summary, [
      ["sources", sources.join(", ")],
      ["tracks", lines.size],
      ["positions", positions.toLocaleString("en")],
      ["alerts", alerts],
    ]);
  }
  let sources = [];

  function addPoints(track, points) {
    const latlngs = points.map((p) => [p[3], p[2]]); // [track, time ms, lon, lat]
    let line = lines.get(track);
    if (!line) {
      line = L.polyline([], { color: "#1f5f99", weight: 2, opacity: 0.8 }).addTo(map);
      line.bindTooltip(AW.escapeHtml(track), { sticky: true });
      lines.set(track, line);
    }
    for (const ll of latlngs) line.addLatLng(ll);
    const kept = line.getLatLngs();
    if (kept.length > 200) line.setLatLngs(kept.slice(kept.length - 200));
    positions += points.length;
    if (!fitted && latlngs.length) {
      map.setView(latlngs[latlngs.length - 1], 7);
      fitted = true;
    }
  }

  function addAlert(a) {
    alerts += 1;
    const key = [a.track_id, a.before, a.after, a.from, a.to].join("|");
    const withdrawn = a.status === "withdrawn";
    const fill = withdrawn ? "#9aa3ab" : colour(inf, a.to);
    let m = markers.get(key);
    if (!m) {
      m = L.circleMarker([a.lat, a.lon], { radius: 7, weight: 2, color: "#222", fillOpacity: 0.9 }).addTo(map);
      markers.set(key, m);
    }
    m.setStyle({ fillColor: fill, color: withdrawn ? "#9aa3ab" : "#222" });
    m.bindTooltip(AW.escapeHtml(`${a.track_id} ${a.from} → ${a.to} (${a.status})`));
    let li = items.get(key);
    if (!li) {
      li = el("li", {});
      items.set(key, li);
      list.prepend(li);
    }
    li.className = "live-alert " + a.status;
    li.textContent = `${a.track_id}: ${a.from} → ${a.to} at ${when(a.time)} — ${a.status}`;
    document.getElementById("live-none").hidden = true;
  }

  const source = new EventSource(AW.link("/api/live/events"));
  source.addEventListener("state", (ev) => {
    const state = JSON.parse(ev.data);
    sources = state.sources;
    for (const [track, points] of Object.entries(state.tracks)) addPoints(track, points.map((p) => [track, ...p]));
    for (const a of state.alerts) addAlert(a);
    showSummary(sources);
    document.body.dataset.ready = "1";
  });
  source.addEventListener("positions", (ev) => {
    const byTrack = new Map();
    for (const p of JSON.parse(ev.data).points) {
      if (!byTrack.has(p[0])) byTrack.set(p[0], []);
      byTrack.get(p[0]).push(p);
    }
    for (const [track, points] of byTrack) addPoints(track, points);
    showSummary(sources);
  });
  source.addEventListener("alert", (ev) => {
    addAlert(JSON.parse(ev.data));
    showSummary(sources);
  });
  source.onerror = () => AW.banner("The live feed is interrupted; reconnecting…", false);
  source.onopen = () => AW.banner("", false);
})();
