// The tensor element/block types of ggml, as numbered in GGUF files, with their block geometry.

/** ggml tensor types (the numbers stored in GGUF tensor infos). */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  BF16 = 30,
}

/** Elements per block and bytes per block for each type. */
export interface BlockGeometry {
  /** Elements in one block. */
  readonly blockSize: number;
  /** Bytes one block takes. */
  readonly typeSize: number;
}

const GEOMETRY: Partial<Record<GgmlType, BlockGeometry>> = {
  [GgmlType.F32]: { blockSize: 1, typeSize: 4 },
  [GgmlType.F16]: { blockSize: 1, typeSize: 2 },
  [GgmlType.BF16]: { blockSize: 1, typeSize: 2 },
  [GgmlType.F64]: { blockSize: 1, typeSize: 8 },
  [GgmlType.I8]: { blockSize: 1, typeSize: 1 },
  [GgmlType.I16]: { blockSize: 1, typeSize: 2 },
  [GgmlType.I32]: { blockSize: 1, typeSize: 4 },
  [GgmlType.I64]: { blockSize: 1, typeSize: 8 },
  [GgmlType.Q4_0]: { blockSize: 32, typeSize: 18 },
  [GgmlType.Q4_1]: { blockSize: 32, typeSize: 20 },
  [GgmlType.Q5_0]: { blockSize: 32, typeSize: 22 },
  [GgmlType.Q5_1]: { blockSize: 32, typeSize: 24 },
  [GgmlType.Q8_0]: { blockSize: 32, typeSize: 34 },
  [GgmlType.Q8_1]: { blockSize: 32, typeSize: 36 },
  [GgmlType.Q2_K]: { blockSize: 256, typeSize: 84 },
  [GgmlType.Q3_K]: { blockSize: 256, typeSize: 110 },
  [GgmlType.Q4_K]: { blockSize: 256, typeSize: 144 },
  [GgmlType.Q5_K]: { blockSize: 256, typeSize: 176 },
  [GgmlType.Q6_K]: { blockSize: 256, typeSize: 210 },
  [GgmlType.Q8_K]: { blockSize: 256, typeSize: 292 },
};

/** Name of a ggml type as llama.cpp prints it (e.g. "q4_K"); "type#N" for unknown numbers. */
export function ggmlTypeName(type: number): string {
  const name = GgmlType[type];
  if (name === undefined) return `type#${type}`;
  return name.toLowerCase().replace(/_k$/, '_K');
}

/** Parses a type name such as "q4_0", "Q4_K", "f16" (case-insensitive). */
export function parseGgmlType(name: string): GgmlType | undefined {
  const key = name.toUpperCase() as keyof typeof GgmlType;
  const v = GgmlType[key];
  return typeof v === 'number' ? v : undefined;
}

/** Block geometry of a type, or undefined for types this project does not know. */
export function blockGeometry(type: number): BlockGeometry | undefined {
  return GEOMETRY[type as GgmlType];
}

/** Bytes a row of `n` elements takes; throws if `n` is not a multiple of the block size. */
export function rowBytes(type: GgmlType, n: number): number {
  const g = blockGeometry(type);
  if (!g) throw new Error(`unknown ggml tensor type ${type}`);
  if (n % g.blockSize !== 0) {
    throw new Error(
      `row of ${n} elements is not a multiple of ${ggmlTypeName(type)}'s block size ${g.blockSize}`,
    );
  }
  return (n / g.blockSize) * g.typeSize;
}
