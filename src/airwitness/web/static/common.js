/* Shared by every page: the token, API calls, small DOM helpers, the airspace layer. */
"use strict";

const AW = (() => {
  const KEY = "airwitness-token";

  // A token given once in the page URL is kept for this tab and removed from the address bar.
  const here = new URL(window.location.href);
  if (here.searchParams.has("token")) {
    sessionStorage.setItem(KEY, here.searchParams.get("token"));
    here.searchParams.delete("token");
    history.replaceState(null, "", here.pathname + here.search + here.hash);
  }
  const token = () => sessionStorage.getItem(KEY);

  function banner(text, isError) {
    const b = document.getElementById("banner");
    b.textContent = text;
    b.classList.toggle("error", Boolean(isError));
    b.hidden = !text;
  }

  function url(path, params) {
    const u = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      const values = Array.isArray(v) ? v : [v];
      for (const x of values) {
        if (x !== null && x !== undefined && x !== "") u.searchParams.append(k, x);
      }
    }
    return u;
  }

  function message(body, fallback) {
    if (!body || body.detail === undefined) return fallback;
    if (typeof body.detail === "string") return body.detail;
    return body.detail.map((d) => `${d.loc[d.loc.length - 1]}: ${d.msg}`).join("; ");
  }

  async function request(path, params, init) {
    const headers = new Headers((init && init.headers) || {});
    if (token()) headers.set("Authorization", "Bearer " + token());
    const r = await fetch(url(path, params), { ...(init || {}), headers });
    if (!r.ok) {
      let body = null;
      try { body = await r.json(); } catch (e) { body = null; }
      const text = message(body, `${r.status} ${r.statusText}`);
      if (r.status === 401) {
        banner("This server needs a token: open the page as …?token=YOUR-TOKEN", true);
      }
      const err = new Error(text);
      err.status = r.status;
      throw err;
    }
    return r;
  }

  const json = async (path, params) => (await request(path, params)).json();

  /** Every item of a paginated list, following `next`. */
  async function all(path, params, limit) {
    const items = [];
    let cursor = null;
    do {
      const page = await json(path, { ...params, limit: limit || 1000, cursor });
      items.push(...page.items);
      cursor = page.next;
    } while (cursor);
    return items;
  }

  /** A link that works without headers (downloads): the token goes in the query. */
  function link(path, params) {
    const u = url(path, params);
    if (token()) u.searchParams.set("token", token());
    return u.pathname + u.search;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) {
      if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  function dl(target, pairs) {
    target.replaceChildren();
    for (const [k, v] of pairs) {
      target.append(el("dt", { text: k }), el("dd", { text: v === null || v === undefined ? "—" : String(v) }));
    }
  }

  const num = (v, digits) => (v === null || v === undefined ? "" : Number(v).toFixed(digits));
  const when = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "");
  const trackHref = (id) => "/track?id=" + encodeURIComponent(id);

  let infoPromise = null;
  const info = () => (infoPromise = infoPromise || json("/api/info"));
  const colour = (inf, code) => (inf.colours && inf.colours[code]) || "#888888";

  function fail(err) {
    banner(String(err.message || err), true);
  }

  /** The airspace set as the base layer, reloaded for the view at each zoom. */
  function airspaceLayer(map, inf) {
    map.createPane("airspace");
    map.getPane("airspace").style.zIndex = 250;
    let layer = null;
    let seq = 0;
    let lastKey = "";
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    async function load() {
      const z = clamp(Math.round(map.getZoom()), 0, 14);
      const b = map.getBounds().pad(0.3);
      const bbox = [
        clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
        clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90),
      ].map((v) => v.toFixed(3)).join(",");
      const key = z + "|" + bbox;
      if (key === lastKey) return;
      lastKey = key;
      const mine = ++seq;
      try {
        const data = await json("/api/airspace", { zoom: z, bbox });
        if (mine !== seq) return;
        const next = L.geoJSON(data, {
          pane: "airspace",
          style: (f) => ({
            color: "#7d8790", weight: 0.8, opacity: 0.9,
            fillColor: inf.colours[f.properties.code] || "#c4c9ce",
            fillOpacity: f.properties.zone === "sea" ? 0.05 : 0.14,
          }),
          onEachFeature: (f, l) => l.bindTooltip(escapeHtml(`${f.properties.code} (${f.properties.zone})`), { sticky: true }),
        });
        next.addTo(map);
        if (layer) map.removeLayer(layer);
        layer = next;
      } catch (err) {
        fail(err);
      }
    }
    map.on("moveend", load);
    return load;
  }

  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  function newMap(id, inf) {
    const map = L.map(id, { zoomSnap: 0.5, worldCopyJump: false, minZoom: 1, maxZoom: 14 });
    map.attributionControl.setPrefix("Leaflet");
    map.attributionControl.addAttribution("Boundaries: " + escapeHtml(inf.dataset));
    return map;
  }

  return { escapeHtml, token, banner, request, json, all, link, el, dl, num, when, trackHref, info, colour, fail, airspaceLayer, newMap };
})();
