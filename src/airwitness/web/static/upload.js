/* Upload one evidence file into the store (multipart POST with the token header). */
"use strict";

(async () => {
  const out = document.getElementById("upload-result");
  const form = document.getElementById("upload-form");
  try {
    const inf = await AW.info();
    document.getElementById("upload-note").textContent = inf.upload
      ? `Files of up to ${(inf.max_upload_bytes / 2 ** 20).toFixed(0)} MB, any format airwitness reads ` +
        "(detected from the content). The file is ingested into the store and the map updates."
      : "This server has no store: start it with --store FILE to upload.";
    form.querySelector("button").disabled = !inf.upload;
  } catch (err) {
    AW.fail(err);
  }
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = document.getElementById("upload-file").files[0];
    if (!file) return;
    const body = new FormData();
    body.append("file", file);
    out.textContent = "uploading…";
    try {
      const r = await AW.request("/api/upload", {}, { method: "POST", body });
      const res = await r.json();
      out.textContent =
        `${res.status}: ${res.format || "?"}, ${res.reports} reports, ` +
        `${Object.values(res.rejects).reduce((a, b) => a + b, 0)} rejects; stored as ${res.name}\n` +
        `store now: ${res.tracks} tracks, ${res.crossings} crossings` + (res.note ? `\n${res.note}` : "");
    } catch (err) {
      out.textContent = "refused: " + err.message;
    }
  });
})();
