// Renders a grounded answer: [n] citations as links to the numbered source passages listed under it.
import { parseCitations } from '../rag/answer.js';
import { chunkLocation, type DocHit } from './doc-index.js';

/** What renderGroundedAnswer showed. */
export interface RenderedAnswer {
  /** Source numbers the answer cites (valid ones, in order of first use). */
  cited: number[];
  /** Citation numbers that match no source (dropped from the text). */
  invalid: number[];
  notFound: boolean;
}

/**
 * Fills `body` with the model's raw answer, citations turned into `<a class="cite">[n]</a>` links to
 * `#src-{key}-{n}`, and appends to `msg` the numbered sources (cited ones get class "cited"). A reply
 * starting with NOT FOUND is shown as "Not found in your documents.".
 */
export function renderGroundedAnswer(
  doc: Document,
  msg: HTMLElement,
  body: HTMLElement,
  raw: string,
  used: DocHit[],
  key: string | number,
): RenderedAnswer {
  const notFound = /^\W*NOT[\s_]FOUND\b/i.test(raw.trim());
  const { text, valid, invalid } = parseCitations(raw, used.length);
  body.textContent = '';
  if (notFound) body.append('Not found in your documents.');
  else {
    let last = 0;
    for (const m of text.matchAll(/\[(\d+(?:,\s*\d+)*)\]/g)) {
      body.append(text.slice(last, m.index));
      for (const n of m[1]!.split(/,\s*/).map(Number)) {
        const a = doc.createElement('a');
        a.className = 'cite';
        a.setAttribute('href', `#src-${key}-${n}`);
        a.textContent = `[${n}]`;
        const c = used[n - 1]?.chunk;
        if (c) a.setAttribute('title', `${c.source} ${chunkLocation(c)}`);
        body.append(a);
      }
      last = m.index! + m[0].length;
    }
    body.append(text.slice(last));
  }
  const cited = notFound ? [] : valid;
  const box = doc.createElement('div');
  box.className = 'sources';
  const h = doc.createElement('div');
  h.className = 'sources-title';
  h.textContent = cited.length > 0 ? 'Sources (cited ones highlighted)' : 'Sources given to the model';
  const ol = doc.createElement('ol');
  used.forEach((hit, i) => {
    const li = doc.createElement('li');
    li.id = `src-${key}-${i + 1}`;
    li.setAttribute('data-n', String(i + 1));
    if (cited.includes(i + 1)) li.className = 'cited';
    const head = doc.createElement('div');
    head.className = 'src-head';
    const c = hit.chunk;
    head.textContent = `[${i + 1}] ${c.source} · ${chunkLocation(c)}${c.headingPath ? ` · ${c.headingPath}` : ''}`;
    const p = doc.createElement('blockquote');
    p.textContent = c.text;
    li.append(head, p);
    ol.append(li);
  });
  box.append(h, ol);
  msg.append(box);
  msg.setAttribute('data-cited', cited.join(','));
  return { cited, invalid, notFound };
}
