/* One track: summary, altitude and speed profiles (SVG from the server), map, crossings. */
"use strict";

(async () => {
  const { el, json, request, colour, when, num, fail } = AW;
  const id = new URL(window.location.href).searchParams.get("id");
  if (!id) {
    AW.banner("No track given: open a track from the map or the crossings table.", true);
    return;
  }
  document.getElementById("track-title").textContent = "Track " + id;
  let inf;
  let detail;
  try {
    [inf, detail] = await Promise.all([AW.info(), json("/api/tracks/" + encodeURIComponent(id), { limit: 10000 })]);
  } catch (err) {
    fail(err);
    return;
  }
  const s = detail.summary;
  document.title = `Track ${s.track_id} · airwitness`;
  document.getElementById("track-title").textContent = `Track ${s.track_id}${s.callsign ? " · " + s.callsign : ""}`;
  AW.dl(document.getElementById("track-summary"), [
    ["first seen", when(s.first_seen)],
    ["last seen", when(s.last_seen)],
    ["reports", s.reports],
    ["segments", s.segments],
    ["airspaces", s.airspaces.join(" › ")],
    ["crossings", s.crossings],
    ["rejected", s.rejects],
    ["callsign", s.callsign],
  ]);

  // Profiles: the server draws them (the same charts as the HTML report).
  async function profile(quantity, target) {
    const r = await request("/api/profile", { track_id: id, quantity });
    const doc = new DOMParser().parseFromString(await r.text(), "image/svg+xml");
    const svg = document.importNode(doc.documentElement, true);
    target.replaceChildren(svg);
  }
  try {
    await Promise.all([
      profile("alt", document.getElementById("profile-alt")),
      profile("speed", document.getElementById("profile-speed")),
    ]);
  } catch (err) {
    fail(err);
  }

  const tbody = document.querySelector("#track-crossings tbody");
  for (const c of detail.crossings) {
    tbody.append(el("tr", {},
      el("td", { text: when(c.time) }), el("td", { text: c.from }), el("td", { text: c.to }),
      el("td", { text: c.kind }), el("td", { class: "num", text: num(c.gap_s, 1) }),
      el("td", { class: "num", text: num(c.lon, 5) }), el("td", { class: "num", text: num(c.lat, 5) }),
      el("td", { class: "num", text: num(c.alt_m, 0) }), el("td", { text: c.before }), el("td", { text: c.after })));
  }
  const reports = detail.reports;
  document.getElementById("track-reports").textContent =
    `${reports.total} reports` + (reports.next ? ` (map shows the first ${reports.items.length})` : "");

  // The track on a small map, coloured by the airspace of each report.
  const map = AW.newMap("track-map", inf);
  const pts = reports.items;
  if (pts.length) {
    const line = [];
    let run = [];
    const flush = (code) => {
      if (run.length) line.push({ code, latlngs: run });
    };
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i];
      run.push([p.lat, p.lon]);
      const next = pts[i + 1];
      if (!next || next.segment !== p.segment || next.airspace !== p.airspace) {
        if (next && next.segment === p.segment) run.push([next.lat, next.lon]);
        flush(p.airspace);
        run = [];
      }
    }
    // Leaflet draws vectors only on a map with a view: fit first, then add.
    const group = L.featureGroup(line.map((r) => L.polyline(r.latlngs, { color: colour(inf, r.code), weight: 3 })));
    map.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 12 });
    group.addTo(map);
    for (const c of detail.crossings) {
      L.circleMarker([c.lat, c.lon], { radius: 5, color: "#111", weight: 1.5, fillColor: colour(inf, c.to), fillOpacity: c.kind === "observed" ? 0.95 : 0.1 })
        .bindTooltip(AW.escapeHtml(`${c.from} → ${c.to} ${when(c.time)}`)).addTo(map);
    }
  } else {
    map.setView([30, 20], 2);
  }
  AW.airspaceLayer(map, inf)();
  document.getElementById("track-map").dataset.ready = "1";
})();
