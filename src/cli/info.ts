// pocketlm info -m FILE [--json]: architecture, dimensions, tensor types and sizes, metadata.
import { ggmlTypeName } from '../format/ggml-types.js';
import { readGgufHeader } from '../format/gguf-node.js';
import type { GgufValue } from '../format/gguf-read.js';
import { parse } from './args.js';
import { printJson, resolveModelPath } from './common.js';

function brief(v: GgufValue): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const arr = v as ArrayLike<unknown>;
    return arr.length > 8
      ? `[${arr.length} items]`
      : Array.from(arr, (x) => (typeof x === 'bigint' ? x.toString() : x));
  }
  if (typeof v === 'string' && v.length > 200) return `${v.slice(0, 200)}… (${v.length} chars)`;
  return v;
}

export async function infoCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    model: { type: 'string', short: 'm' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write('usage: pocketlm info -m MODEL [--json]\n');
    return;
  }
  const path = await resolveModelPath(values.model, true);
  const { header, fileSize } = readGgufHeader(path);
  const md = header.metadata;
  const arch = String(md.get('general.architecture')?.value ?? 'unknown');
  const dims: Record<string, unknown> = {};
  for (const [k, e] of md) if (k.startsWith(`${arch}.`)) dims[k.slice(arch.length + 1)] = brief(e.value);
  const byType = new Map<string, { count: number; bytes: number }>();
  let params = 0;
  for (const t of header.tensors) {
    const name = ggmlTypeName(t.type);
    const s = byType.get(name) ?? { count: 0, bytes: 0 };
    s.count++;
    s.bytes += t.nBytes;
    byType.set(name, s);
    params += t.nElements;
  }
  const info = {
    file: path,
    file_bytes: fileSize,
    gguf_version: header.version,
    architecture: arch,
    name: md.get('general.name')?.value,
    parameters: params,
    hyperparameters: dims,
    tensor_types: Object.fromEntries(byType),
    tensors: header.tensors.map((t) => ({
      name: t.name,
      type: ggmlTypeName(t.type),
      dims: t.dims,
      bytes: t.nBytes,
    })),
    metadata: Object.fromEntries([...md].map(([k, e]) => [k, brief(e.value)])),
  };
  if (values.json) return printJson(info);
  const out: string[] = [];
  out.push(`${path}: GGUF v${header.version}, ${(fileSize / 2 ** 20).toFixed(1)} MiB`);
  out.push(
    `architecture  ${arch}${info.name ? ` (${info.name})` : ''}, ${(params / 1e6).toFixed(1)}M parameters`,
  );
  for (const [k, v] of Object.entries(dims)) out.push(`  ${k.padEnd(40)} ${String(v)}`);
  out.push('tensor types:');
  for (const [k, v] of byType)
    out.push(
      `  ${k.padEnd(6)} ${String(v.count).padStart(5)} tensors ${(v.bytes / 2 ** 20).toFixed(1).padStart(9)} MiB`,
    );
  out.push(`tensors: ${header.tensors.length} (use --json for the full list and all metadata)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
