// HTML extraction: main text with headings/lists/code kept, boilerplate dropped, plain-text fallback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractHtml, fallbackExtract } from '../../src/data/extract/html.js';
import { extract } from '../../src/data/filters/extract.js';

const para = (s: string) => `<p>${s}</p>`;
const page = `<!doctype html><html><head><title>Photosynthesis basics</title><script>var tracking = 1;</script><style>p{}</style></head>
<body><nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
<article><h1>Photosynthesis basics</h1>
${para('Plants make their own food using light. This process is called photosynthesis and it happens in the leaves of green plants, where the pigment chlorophyll captures the energy of sunlight.')}
<h2>What plants need</h2><ul><li>Water from the roots</li><li>Carbon dioxide from the air</li></ul>
${para('Inside the chloroplasts, light energy is used to split water and to build sugar from carbon dioxide. Oxygen is released, which is why forests matter for the air we breathe.')}
<pre><code>6 CO2 + 6 H2O -> C6H12O6 + 6 O2</code></pre></article>
<footer>Copyright 2024 Example Shop. All rights reserved.</footer></body></html>`;

test('readability extraction keeps headings, lists and code as markdown-ish text', () => {
  const r = extractHtml(page);
  assert.equal(r.method, 'readability');
  assert.ok(r.text.startsWith('# Photosynthesis basics'), r.text.slice(0, 40));
  assert.match(r.text, /^## What plants need$/m);
  assert.match(r.text, /^- Water from the roots\n- Carbon dioxide from the air$/m);
  assert.match(r.text, /```\n6 CO2 \+ 6 H2O -> C6H12O6 \+ 6 O2\n```/);
  assert.ok(!r.text.includes('tracking'));
  assert.ok(!r.text.includes('Home'));
});

test('fallback extraction drops scripts, nav and footer', () => {
  const t = fallbackExtract(page);
  assert.ok(t.includes('Plants make their own food'));
  assert.ok(!t.includes('tracking') && !t.includes('Copyright') && !t.includes('Shop'));
  assert.equal(
    extractHtml('<html><body><div>Tiny page.</div></body></html>', {
      timeout_ms: 1000,
      max_elements: 100,
      fallback_only: true,
    }).text,
    'Tiny page.',
  );
});

test('timeout 0 forces the fallback; element budget too', () => {
  assert.equal(
    extractHtml(page, { timeout_ms: 0, max_elements: 20000, fallback_only: false }).method,
    'fallback_timeout',
  );
  assert.equal(
    extractHtml(page, { timeout_ms: 1000, max_elements: 3, fallback_only: false }).method,
    'fallback_too_large',
  );
});

test('extract stage: converts HTML docs, leaves text docs alone, drops empty pages', () => {
  const f = extract();
  const d = { id: '1', text: page, metadata: { format: 'html' } as Record<string, unknown> };
  assert.equal(f.filter(d), true);
  assert.equal(d.metadata.extract_method, 'readability');
  const t = { id: '2', text: '<b>not html format</b> plain', metadata: {} };
  assert.equal(f.filter(t), true);
  assert.equal(t.text, '<b>not html format</b> plain');
  assert.deepEqual(
    f.filter({ id: '3', text: '<html><body><script>x()</script></body></html>', metadata: {} }),
    { reason: 'extract_empty' },
  );
});
