package web

import (
	"net/http"
)

// DocsHandler serves the API reference page. It renders the OpenAPI
// document with a few lines of inline script, so it works on installations
// without Internet access (huma's default page loads its renderer from a CDN).
func DocsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
		_, _ = w.Write([]byte(docsPage))
	})
}

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Renshi API</title>
<style>
body{font:14px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2937;background:#f5f7fa}
header{background:#1f2d3d;color:#fff;padding:16px 24px}header a{color:#9ecbff}
main{max-width:1100px;margin:0 auto;padding:16px}
h2{margin:24px 0 8px;text-transform:capitalize}
details{background:#fff;border:1px solid #e5e7eb;border-radius:6px;margin:6px 0}
summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:baseline;flex-wrap:wrap}
.m{font:600 12px monospace;padding:2px 6px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.GET{background:#2563eb}.POST{background:#16a34a}.PUT{background:#d97706}.PATCH{background:#9333ea}.DELETE{background:#dc2626}
code,pre{font-family:ui-monospace,monospace;font-size:12px}pre{background:#f3f4f6;padding:8px;overflow:auto;margin:4px 12px 12px}
.d{padding:0 12px}.p{color:#6b7280}
</style></head><body>
<header><b>Renshi API</b> · <a href="/api/openapi.json">openapi.json</a> · <a href="/api/openapi.yaml">openapi.yaml</a>
<div class="p" style="color:#cbd5e1">JSON under /api/v1. Sign in with POST /api/v1/auth/login (session cookie) or send an API token as Authorization: Bearer. Errors are RFC 9457 problem+json.</div></header>
<main id="out">Loading…</main>
<script>
fetch('/api/openapi.json').then(r => r.json()).then(doc => {
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths || {}))
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      (byTag[tag] = byTag[tag] || []).push({path, method: method.toUpperCase(), op});
    }
  const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
  const ref = s => s && s.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s;
  let html = '';
  for (const tag of Object.keys(byTag).sort()) {
    html += '<h2>' + esc(tag) + '</h2>';
    for (const {path, method, op} of byTag[tag]) {
      const params = (op.parameters || []).map(p => '<code>' + esc(p.in) + ' ' + esc(p.name) + '</code> ' + esc(p.description || '')).join('<br>');
      const body = op.requestBody && ref(op.requestBody.content['application/json'].schema);
      const ok = Object.entries(op.responses || {}).find(([c]) => c.startsWith('2'));
      const res = ok && ok[1].content && ok[1].content['application/json'] && ref(ok[1].content['application/json'].schema);
      html += '<details><summary><span class="m ' + method + '">' + method + '</span><code>' + esc(path) + '</code><span>' + esc(op.summary) + '</span></summary>' +
        '<div class="d p">' + esc(op.description || '') + '</div>' + (params ? '<div class="d">' + params + '</div>' : '') +
        (body ? '<div class="d"><b>Request body</b></div><pre>' + esc(JSON.stringify(body, null, 2)) + '</pre>' : '') +
        (res ? '<div class="d"><b>Response ' + ok[0] + '</b></div><pre>' + esc(JSON.stringify(res, null, 2)) + '</pre>' : '') + '</details>';
    }
  }
  document.getElementById('out').innerHTML = html;
}).catch(e => { document.getElementById('out').textContent = 'Could not load the OpenAPI document: ' + e; });
</script></body></html>`
