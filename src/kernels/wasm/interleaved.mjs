// Generates the WAT of the 4-row interleaved Q4_0, Q4_K and Q6_K kernels (spliced into matvec.wat at build time
// where a `;;@generate NAME` line stands; see scripts/build-wasm.mjs). One token (decode) and four tokens
// per pass (prefill) differ only in how many activation rows an unrolled body carries, hence a generator.
//
// Lanes = rows: a 16-byte weight vector holds 4 bytes of each of 4 rows; the activation's matching 4 bytes
// are broadcast (v128.load32_splat), so one relaxed DOT8 (pmaddubsw) leaves row r's pair sums in i16
// lanes 2r, 2r+1, and i32x4.extadd_pairwise / dot_i16x8_s widen them to lanes = rows: no horizontal sums.
// The plain SIMD128 build (DOT8 pairs lanes j, j+8 there) multiplies sign-extended i16 halves instead:
// rows 0,1 and 2,3 accumulate apart and meet in one shuffle-add per block.
//
// V8 (TurboFan) schedules every load of a loop body before the arithmetic and then spills; a v128.store
// of the running sums to scratch bytes 0..255 after each weight vector is an effect barrier that keeps
// later loads below it (prefill 1.46× faster for Q4_0 with the stores, 0.8× without).

const I = '      ';

/**
 * WAT lines turning 4 f16 at `off` bytes past $w into an f32x4 in `dst`: the half moved to the top of the
 * lane and shifted right by 3 arithmetically puts exponent and mantissa where f32 has them (sign copied
 * into the 3 exponent bits f16 lacks, then masked off), and × 2^112 rebiases the exponent (scales: no
 * NaN/inf care needed; subnormals come out right because the multiply normalizes them).
 */
function f16x4(dst, off) {
  return [
    `${I}(local.set ${dst}`,
    `${I}  (f32x4.mul`,
    `${I}    (v128.and`,
    `${I}      (i32x4.shr_s (i32x4.shl (v128.load16x4_u (i32.add (local.get $w) (i32.const ${off}))) (i32.const 16)) (i32.const 3))`,
    `${I}      (i32x4.splat (i32.const 0x8fffffff)))`,
    `${I}    (f32x4.splat (f32.const 0x1p112))))`,
  ];
}

/** Function header, locals and pointer set-up of a kernel over T activation rows. */
function header(name, T, extraLocals) {
  const xs = ['$xa', '$xb', '$xc', '$xd'].slice(0, T);
  const fs = ['$fa', '$fb', '$fc', '$fd'].slice(0, T);
  const out = [];
  if (T === 1) out.push(`  (func ${name} (param $w i32) (param $xa i32) (param $nb i32) (result v128)`);
  else {
    out.push(
      `  (func ${name} (param $w i32) (param $xa i32) (param $xs i32) (param $nb i32) (param $o i32) (param $ldo i32)`,
      `    ${xs
        .slice(1)
        .map((x) => `(local ${x} i32)`)
        .join(' ')}`,
    );
  }
  out.push(
    `    ${fs.map((f) => `(local ${f} v128)`).join(' ')} (local $m v128) (local $wv v128) (local $lo v128) (local $hi v128)`,
    `    (local $t v128) (local $u v128) (local $s v128) ${extraLocals}`,
    `    (local.set $m (i8x16.splat (i32.const 15)))`,
  );
  for (let k = 1; k < T; k++)
    out.push(`    (local.set ${xs[k]} (i32.add (local.get ${xs[k - 1]}) (local.get $xs)))`);
  return { out, xs, fs };
}

/** Loop end: advance the pointers, then return (T = 1) or store the T f32x4 results at o, o + ldo, … */
function footer(T, xs, fs, wBytes, xBytes) {
  const out = [`${I}(local.set $w (i32.add (local.get $w) (i32.const ${wBytes})))`];
  for (const x of xs) out.push(`${I}(local.set ${x} (i32.add (local.get ${x}) (i32.const ${xBytes})))`);
  out.push(`${I}(br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))`);
  if (T === 1) out.push(`    (local.get $fa))`);
  else {
    out.push(`    (v128.store (local.get $o) (local.get $fa))`);
    for (let k = 1; k < T; k++) {
      out.push(
        `    (v128.store (local.tee $o (i32.add (local.get $o) (local.get $ldo))) (local.get ${fs[k]}))${k === T - 1 ? ')' : ''}`,
      );
    }
  }
  return out;
}

/** Nibbles of the weight vector at `off`: $lo, $hi (plain build: also widened to $wl0 $wl1 $wh0 $wh1). */
function nibbles(off, plain) {
  const out = [
    `${I}(local.set $wv (v128.load offset=${off} (local.get $w)))`,
    `${I}(local.set $lo (v128.and (local.get $wv) (local.get $m)))`,
    `${I}(local.set $hi (v128.and (i16x8.shr_u (local.get $wv) (i32.const 4)) (local.get $m)))`,
  ];
  if (plain)
    out.push(
      `${I}(local.set $wl0 (i16x8.extend_low_i8x16_u (local.get $lo)))`,
      `${I}(local.set $wl1 (i16x8.extend_high_i8x16_u (local.get $lo)))`,
      `${I}(local.set $wh0 (i16x8.extend_low_i8x16_u (local.get $hi)))`,
      `${I}(local.set $wh1 (i16x8.extend_high_i8x16_u (local.get $hi)))`,
    );
  return out;
}

/**
 * Accumulates one weight vector's low nibbles × the 4 bytes at `offLo` and high nibbles × those at `offHi`
 * of activation row x into i16 sums (relaxed: acc; plain: accL rows 0,1 and accH rows 2,3).
 */
function accumulate(x, offLo, offHi, first, relaxed, acc, accL, accH) {
  const set = (a, e) => `${I}(local.set ${a} ${first ? e : `(i16x8.add (local.get ${a}) ${e})`})`;
  if (relaxed) {
    return [
      `${I}(local.set $t (v128.load32_splat (i32.add (local.get ${x}) (i32.const ${offLo}))))`,
      `${I}(local.set $u (v128.load32_splat (i32.add (local.get ${x}) (i32.const ${offHi}))))`,
      set(acc, '(i16x8.add (DOT8 $t $lo) (DOT8 $u $hi))'),
    ];
  }
  return [
    `${I}(local.set $t (i16x8.extend_low_i8x16_s (v128.load32_splat (i32.add (local.get ${x}) (i32.const ${offLo})))))`,
    `${I}(local.set $u (i16x8.extend_low_i8x16_s (v128.load32_splat (i32.add (local.get ${x}) (i32.const ${offHi})))))`,
    set(
      accL,
      '(i16x8.add (i16x8.mul (local.get $t) (local.get $wl0)) (i16x8.mul (local.get $u) (local.get $wh0)))',
    ),
    set(
      accH,
      '(i16x8.add (i16x8.mul (local.get $t) (local.get $wl1)) (i16x8.mul (local.get $u) (local.get $wh1)))',
    ),
  ];
}

/** The scratch-store barrier after a weight vector (see the file comment). */
function barrier(T, relaxed, acc, accL, accH) {
  const out = [];
  for (let k = 0; k < T; k++) {
    if (relaxed) out.push(`${I}(v128.store offset=${16 * k} (i32.const 0) (local.get ${acc[k]}))`);
    else
      out.push(
        `${I}(v128.store offset=${32 * k} (i32.const 0) (local.get ${accL[k]}))`,
        `${I}(v128.store offset=${32 * k + 16} (i32.const 0) (local.get ${accH[k]}))`,
      );
  }
  return out;
}

/** Plain build: rows 0,1 sums in $s and rows 2,3 sums in $t (i32, two lanes per row) → $s = lanes = rows. */
const JOIN_HALVES = [
  `${I}(local.set $s`,
  `${I}  (i32x4.add`,
  `${I}    (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $s) (local.get $t))`,
  `${I}    (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $s) (local.get $t))))`,
];

const ACC = ['$ia', '$ib', '$ic', '$id'];
const ACC_L = ['$la', '$lb', '$lc', '$ld'];
const ACC_H = ['$ha', '$hb', '$hc', '$hd'];
const accLocals = (T, relaxed) =>
  (relaxed ? ACC.slice(0, T) : [...ACC_L.slice(0, T), ...ACC_H.slice(0, T)])
    .map((a) => `(local ${a} v128)`)
    .join(' ');

/**
 * Q4_0 × Q8_0 over T activation rows (72 B per group and block: d f16[4], then vector c = rows 0..3's
 * qs[4c..4c+3]; Q8_0 activation blocks of 40 B: qs[32], d f32, 8·Σqs i32).
 */
function q4_0(name, T, relaxed) {
  const { out, xs, fs } = header(
    name,
    T,
    `(local $sc v128) ${relaxed ? '' : '(local $wl0 v128) (local $wl1 v128) (local $wh0 v128) (local $wh1 v128)'} ${accLocals(T, relaxed)}`,
  );
  out.push('    (loop $blk');
  for (let c = 0; c < 4; c++) {
    out.push(...nibbles(8 + 16 * c, !relaxed));
    for (let k = 0; k < T; k++)
      out.push(...accumulate(xs[k], 4 * c, 16 + 4 * c, c === 0, relaxed, ACC[k], ACC_L[k], ACC_H[k]));
    out.push(...barrier(T, relaxed, ACC, ACC_L, ACC_H));
  }
  out.push(...f16x4('$sc', 0));
  for (let k = 0; k < T; k++) {
    if (relaxed) out.push(`${I}(local.set $s (i32x4.extadd_pairwise_i16x8_s (local.get ${ACC[k]})))`);
    else
      out.push(
        `${I}(local.set $s (i32x4.extadd_pairwise_i16x8_s (local.get ${ACC_L[k]})))`,
        `${I}(local.set $t (i32x4.extadd_pairwise_i16x8_s (local.get ${ACC_H[k]})))`,
        ...JOIN_HALVES,
      );
    // Σ (n − 8)·q = Σ n·q − 8·Σq (quant_q8_0 stores 8·Σq), scaled by d_w (per row) · d_x
    out.push(
      `${I}(local.set ${fs[k]}`,
      `${I}  (f32x4.add (local.get ${fs[k]})`,
      `${I}    (f32x4.mul`,
      `${I}      (f32x4.convert_i32x4_s`,
      `${I}        (i32x4.sub (local.get $s) (v128.load32_splat (i32.add (local.get ${xs[k]}) (i32.const 36)))))`,
      `${I}      (f32x4.mul (local.get $sc) (v128.load32_splat (i32.add (local.get ${xs[k]}) (i32.const 32)))))))`,
    );
  }
  out.push(...footer(T, xs, fs, 72, 40));
  return out;
}

/**
 * Q4_K × Q8_K over T activation rows. Group block (592 B): d f16[4] | dmin f16[4] | scales, per pair p of
 * sub-blocks (2p, 2p+1) and row r: u8 [sc_2p, sc_2p+1] (32 B) | mins likewise (32 B) | nibbles: vector
 * (p, c) at 80 + 128p + 16c. Activations after pair_q8_k: chunk i of pair p (bytes 64p + 4i) holds
 * A[2i], A[2i+1], B[2i], B[2i+1] (A, B = sub-blocks 2p, 2p+1); vector (p, c)'s low nibbles meet chunk c,
 * its high nibbles chunk c + 8. DOT8 lanes 2r / 2r+1 then sum sub-block 2p / 2p+1 of row r, so one
 * i32x4.dot_i16x8_s with the scale pairs applies both scales and leaves lanes = rows. i16 sums are
 * flushed every 4 vectors (16 products ≤ 30480) into i32 sums at scratch 128..255.
 */
function q4_k(name, T, relaxed) {
  const { out, xs, fs } = header(
    name,
    T,
    `(local $sc v128) (local $scl v128) (local $sch v128) (local $d v128) (local $dm v128) ${
      relaxed ? '' : '(local $wl0 v128) (local $wl1 v128) (local $wh0 v128) (local $wh1 v128)'
    } ${accLocals(T, relaxed)}`,
  );
  out.push('    (loop $blk');
  for (let p = 0; p < 4; p++) {
    out.push(`${I};; sub-blocks ${2 * p} and ${2 * p + 1}`);
    out.push(`${I}(local.set $sc (v128.load8x8_u (i32.add (local.get $w) (i32.const ${16 + 8 * p}))))`);
    if (!relaxed) {
      out.push(
        `${I}(local.set $scl (i8x16.shuffle 0 1 0 1 2 3 2 3 4 5 4 5 6 7 6 7 (local.get $sc) (local.get $sc)))`,
        `${I}(local.set $sch (i8x16.shuffle 8 9 8 9 10 11 10 11 12 13 12 13 14 15 14 15 (local.get $sc) (local.get $sc)))`,
      );
    }
    for (let h = 0; h < 2; h++) {
      for (let c = 4 * h; c < 4 * h + 4; c++) {
        out.push(...nibbles(80 + 128 * p + 16 * c, !relaxed));
        for (let k = 0; k < T; k++) {
          out.push(
            ...accumulate(
              xs[k],
              64 * p + 4 * c,
              64 * p + 32 + 4 * c,
              c === 4 * h,
              relaxed,
              ACC[k],
              ACC_L[k],
              ACC_H[k],
            ),
          );
        }
        if (c % 4 !== 3) out.push(...barrier(T, relaxed, ACC, ACC_L, ACC_H));
      }
      // flush through the scale pairs into the i32 sums (the stores are barriers too)
      const first = p === 0 && h === 0;
      const add = (off, e) =>
        `${I}(v128.store offset=${off} (i32.const 0) ${first ? e : `(i32x4.add (v128.load offset=${off} (i32.const 0)) ${e})`})`;
      for (let k = 0; k < T; k++) {
        if (relaxed) out.push(add(128 + 16 * k, `(i32x4.dot_i16x8_s (local.get ${ACC[k]}) (local.get $sc))`));
        else
          out.push(
            add(128 + 32 * k, `(i32x4.dot_i16x8_s (local.get ${ACC_L[k]}) (local.get $scl))`),
            add(144 + 32 * k, `(i32x4.dot_i16x8_s (local.get ${ACC_H[k]}) (local.get $sch))`),
          );
      }
    }
  }
  out.push(...f16x4('$d', 0), ...f16x4('$dm', 8));
  for (let k = 0; k < T; k++) {
    const x = xs[k];
    if (relaxed) out.push(`${I}(local.set $s (v128.load offset=${128 + 16 * k} (i32.const 0)))`);
    else
      out.push(
        `${I}(local.set $s (v128.load offset=${128 + 32 * k} (i32.const 0)))`,
        `${I}(local.set $t (v128.load offset=${144 + 32 * k} (i32.const 0)))`,
        ...JOIN_HALVES,
      );
    // Σ mins·bsum32 over the four pairs (lanes = rows); result d_x·(d·Σ sc·q·x − dmin·Σ m·bsum)
    const mp = (q) =>
      `(i32x4.dot_i16x8_s (v128.load8x8_u (i32.add (local.get $w) (i32.const ${48 + 8 * q}))) (v128.load32_splat (i32.add (local.get ${x}) (i32.const ${288 + 4 * q}))))`;
    out.push(
      `${I}(local.set $t (i32x4.add (i32x4.add ${mp(0)} ${mp(1)}) (i32x4.add ${mp(2)} ${mp(3)})))`,
      `${I}(local.set $u (v128.load32_splat (i32.add (local.get ${x}) (i32.const 304))))`,
      `${I}(local.set ${fs[k]}`,
      `${I}  (f32x4.sub`,
      `${I}    (f32x4.add (local.get ${fs[k]}) (f32x4.mul (f32x4.convert_i32x4_s (local.get $s)) (f32x4.mul (local.get $d) (local.get $u))))`,
      `${I}    (f32x4.mul (f32x4.convert_i32x4_s (local.get $t)) (f32x4.mul (local.get $dm) (local.get $u)))))`,
    );
  }
  out.push(...footer(T, xs, fs, 592, 320));
  return out;
}

// ---------------------------------------------------------------- Q6_K (4-row groups, 840 B per block)
// One token ($q6_k_g4) and two tokens per pass ($q6_k_g4x2); layout documented in the emitted comments and
// at repack_q6_k_g4 in matvec.wat.

const sh = (lanes) => lanes.flatMap((l) => [2 * l, 2 * l + 1]).join(' ');

/** Emits the loads of Q6_K sub-block s's three 16-byte vectors into $a $b $c; its activation offset, pair, half. */
function loadSub(e, s) {
  e(`      (local.set $a (v128.load offset=${48 * s} (local.get $w)))`);
  e(`      (local.set $b (v128.load offset=${48 * s + 16} (local.get $w)))`);
  e(`      (local.set $c (v128.load offset=${48 * s + 32} (local.get $w)))`);
  return { x: 16 * s, p: s >> 1, o: s & 1 };
}

function q6_kOne() {
  const L = [];
  const e = (s) => L.push(s);
  // relaxed sub-block s body
  const BAR = `      (v128.store (i32.const 512) (local.get $acc)) ;; barrier (see header)`;
  // shared by both builds: the sub-block's scales (pair p, half o) and the i32 sums; Σ sc·bsum per pair
  function scaleTail(p, o) {
    if (o === 0)
      e(`      (local.set $sc (v128.load8x8_s (i32.add (local.get $w) (i32.const ${768 + 8 * p}))))`);
    e(
      `      (local.set $sv (i8x16.shuffle ${sh([o, o, 2 + o, 2 + o, 4 + o, 4 + o, 6 + o, 6 + o])} (local.get $sc) (local.get $sc)))`,
    );
    e(
      `      (local.set $acc (i32x4.add (local.get $acc) (i32x4.add (i32x4.dot_i16x8_s (local.get $t) (local.get $sv)) (i32x4.dot_i16x8_s (local.get $u) (local.get $sv)))))`,
    );
    if (o === 1)
      e(
        `      (local.set $bs (i32x4.add (local.get $bs) (i32x4.dot_i16x8_s (local.get $sc) (v128.load32_splat (i32.add (local.get $x) (i32.const ${256 + 4 * p}))))))`,
      );
    if (o === 1) e(`      (v128.store (i32.const 528) (local.get $bs))`);
    e(BAR);
  }
  function subRelaxed(s) {
    const { x, p, o } = loadSub(e, s);
    e(`      (local.set $xv (v128.load32_splat (i32.add (local.get $x) (i32.const ${x}))))`);
    e(`      (local.set $v (v128.and (local.get $a) (local.get $m3f)))`);
    e(`      (local.set $t (DOT8 $xv $v))`);
    e(`      (local.set $xv (v128.load32_splat (i32.add (local.get $x) (i32.const ${x + 4}))))`);
    e(`      (local.set $v (v128.and (local.get $b) (local.get $m3f)))`);
    e(`      (local.set $t (i16x8.add (local.get $t) (DOT8 $xv $v)))`);
    e(`      (local.set $xv (v128.load32_splat (i32.add (local.get $x) (i32.const ${x + 8}))))`);
    e(`      (local.set $v (v128.and (local.get $c) (local.get $m3f)))`);
    e(`      (local.set $u (DOT8 $xv $v))`);
    e(
      `      (local.set $v (v128.or (v128.or (i16x8.shr_u (v128.and (local.get $a) (local.get $mc0)) (i32.const 6)) (i16x8.shr_u (v128.and (local.get $b) (local.get $mc0)) (i32.const 4))) (i16x8.shr_u (v128.and (local.get $c) (local.get $mc0)) (i32.const 2))))`,
    );
    e(`      (local.set $xv (v128.load32_splat (i32.add (local.get $x) (i32.const ${x + 12}))))`);
    e(`      (local.set $u (i16x8.add (local.get $u) (DOT8 $xv $v)))`);
    scaleTail(p, o);
  }
  function subPlain(s) {
    const { x, p, o } = loadSub(e, s);
    const vs = [
      `(v128.and (local.get $a) (local.get $m3f))`,
      `(v128.and (local.get $b) (local.get $m3f))`,
      `(v128.and (local.get $c) (local.get $m3f))`,
      `(v128.or (v128.or (i16x8.shr_u (v128.and (local.get $a) (local.get $mc0)) (i32.const 6)) (i16x8.shr_u (v128.and (local.get $b) (local.get $mc0)) (i32.const 4))) (i16x8.shr_u (v128.and (local.get $c) (local.get $mc0)) (i32.const 2)))`,
    ];
    for (let j = 0; j < 4; j++) {
      const r = j < 2 ? '$t' : '$u';
      e(`      (local.set $v ${vs[j]})`);
      e(`      (local.set $xv (v128.load32_splat (i32.add (local.get $x) (i32.const ${x + 4 * j}))))`);
      // even bytes (i16 lanes' low halves) and odd bytes: lane 2r, 2r+1 = row r, like the relaxed DOT8
      const prod = `(i16x8.add (i16x8.mul (i16x8.shr_s (i16x8.shl (local.get $xv) (i32.const 8)) (i32.const 8)) (v128.and (local.get $v) (local.get $mff))) (i16x8.mul (i16x8.shr_s (local.get $xv) (i32.const 8)) (i16x8.shr_u (local.get $v) (i32.const 8))))`;
      e(`      (local.set ${r} ${j % 2 ? `(i16x8.add (local.get ${r}) ${prod})` : prod})`);
    }
    scaleTail(p, o);
  }
  e(`  ;; ---------------------------------------------------------------- Q6_K (4-row interleaved) × Q8_K`);
  e(
    `  ;; One group of 4 rows · one Q8_K activation row → f32x4 (lane = row). Group block layout (840 B), see`,
  );
  e(
    `  ;; repack_q6_k_g4: 16 sub-blocks × 48 B (A, B, C) | scales i8 [pair p][row r][2] (64 B) | d f16[4]. Chunk`,
  );
  e(
    `  ;; vectors V0..V3 of sub-block s hold weights 16s + 4j .. +3 of rows 0..3 (byte 4r + i, values 0..63):`,
  );
  e(
    `  ;; V0..V2 = low 6 bits of A, B, C; V3 = their top bits (A → bits 0-1, B → 2-3, C → 4-5). The activation's 4`,
  );
  e(
    `  ;; bytes are broadcast, so every product lands in its row's lanes: relaxed DOT8 pairs bytes (2k, 2k+1) →`,
  );
  e(
    `  ;; i16 lanes 2r, 2r+1 = row r, and a pmaddwd with [s_r0, s_r0, s_r1, …] applies the scales and folds to rows.`,
  );
  e(`  ;; The plain build multiplies even and odd bytes as i16 (same lanes as the relaxed DOT8).`);
  e(`  (func $q6_k_g4 (param $w i32) (param $x i32) (param $nb i32) (result v128)`);
  e(`    (local $facc v128) (local $acc v128) (local $bs v128) (local $m3f v128) (local $mc0 v128)`);
  e(
    `    (local $a v128) (local $b v128) (local $c v128) (local $v v128) (local $xv v128) (local $t v128) (local $u v128)`,
  );
  e(`    (local $sc v128) (local $sv v128) (local $h v128) (local $mff v128)`);
  e(`    (local.set $m3f (i8x16.splat (i32.const 0x3f)))`);
  e(`    (local.set $mc0 (i8x16.splat (i32.const 0xc0)))`);
  e(`    (loop $blk`);
  e(`      (local.set $acc (v128.const i32x4 0 0 0 0))`);
  e(`      (local.set $bs (v128.const i32x4 0 0 0 0))`);
  e(`;;@if relaxed`);
  for (let s = 0; s < 16; s++) subRelaxed(s);
  e(`;;@else`);
  e(`      (local.set $mff (i16x8.splat (i32.const 0xff)))`);
  for (let s = 0; s < 16; s++) subPlain(s);
  e(`;;@end`);
  e(`      ;; Σ sc·(q − 32)·x = Σ sc·q·x − 32·Σ sc·bsum16; times d_row · d_x`);
  for (const line of f16x4('$h', 832)) e(line);
  e(`      (local.set $facc`);
  e(`        (f32x4.add (local.get $facc)`);
  e(`          (f32x4.mul`);
  e(
    `            (f32x4.convert_i32x4_s (i32x4.sub (local.get $acc) (i32x4.shl (local.get $bs) (i32.const 5))))`,
  );
  e(`            (f32x4.mul (local.get $h)`);
  e(`              (f32x4.splat (f32.load offset=304 (local.get $x)))))))`);
  e(`      (local.set $w (i32.add (local.get $w) (i32.const 840)))`);
  e(`      (local.set $x (i32.add (local.get $x) (i32.const 320)))`);
  e(`      (br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))`);
  e(`    (local.get $facc))`);
  e(``);
  return L.join('\n');
}

function q6_kTwo() {
  const L = [];
  const e = (s) => L.push(s);
  const V3 = `(v128.or (v128.or (i16x8.shr_u (v128.and (local.get $a) (local.get $mc0)) (i32.const 6)) (i16x8.shr_u (v128.and (local.get $b) (local.get $mc0)) (i32.const 4))) (i16x8.shr_u (v128.and (local.get $c) (local.get $mc0)) (i32.const 2)))`;
  function sub(s, relaxed) {
    const { x, p, o } = loadSub(e, s);
    e(`      (local.set $v0 (v128.and (local.get $a) (local.get $m3f)))`);
    e(`      (local.set $v1 (v128.and (local.get $b) (local.get $m3f)))`);
    e(`      (local.set $v2 (v128.and (local.get $c) (local.get $m3f)))`);
    e(`      (local.set $v3 ${V3})`);
    if (o === 0)
      e(`      (local.set $sc (v128.load8x8_s (i32.add (local.get $w) (i32.const ${768 + 8 * p}))))`);
    e(
      `      (local.set $sv (i8x16.shuffle ${sh([o, o, 2 + o, 2 + o, 4 + o, 4 + o, 6 + o, 6 + o])} (local.get $sc) (local.get $sc)))`,
    );
    for (const [xp, acc, bs] of [
      ['$x', '$aa', '$ba'],
      ['$y', '$ab', '$bb'],
    ]) {
      for (let j = 0; j < 4; j++) {
        const r = j < 2 ? '$t' : '$u';
        e(`      (local.set $xv (v128.load32_splat (i32.add (local.get ${xp}) (i32.const ${x + 4 * j}))))`);
        const prod = relaxed
          ? `(DOT8 $xv $v${j})`
          : `(i16x8.add (i16x8.mul (i16x8.shr_s (i16x8.shl (local.get $xv) (i32.const 8)) (i32.const 8)) (v128.and (local.get $v${j}) (local.get $mff))) (i16x8.mul (i16x8.shr_s (local.get $xv) (i32.const 8)) (i16x8.shr_u (local.get $v${j}) (i32.const 8))))`;
        e(`      (local.set ${r} ${j % 2 ? `(i16x8.add (local.get ${r}) ${prod})` : prod})`);
      }
      e(
        `      (local.set ${acc} (i32x4.add (local.get ${acc}) (i32x4.add (i32x4.dot_i16x8_s (local.get $t) (local.get $sv)) (i32x4.dot_i16x8_s (local.get $u) (local.get $sv)))))`,
      );
      if (o === 1)
        e(
          `      (local.set ${bs} (i32x4.add (local.get ${bs}) (i32x4.dot_i16x8_s (local.get $sc) (v128.load32_splat (i32.add (local.get ${xp}) (i32.const ${256 + 4 * p}))))))`,
        );
      if (xp === '$x') e(`      (v128.store (i32.const 512) (local.get $aa)) ;; barrier`);
    }
    if (o === 1)
      e(`      (v128.store (i32.const 544) (local.get $ba)) (v128.store (i32.const 560) (local.get $bb))`);
    e(`      (v128.store (i32.const 528) (local.get $ab)) ;; barrier`);
  }
  e(
    `  ;; Two activation rows (x, y) against one Q6_K group of 4 rows (prefill): the 6-bit unpacking and the scales`,
  );
  e(`  ;; are shared; results (f32x4, lane = row) stored at oa and ob.`);
  e(
    `  (func $q6_k_g4x2 (param $w i32) (param $x i32) (param $y i32) (param $nb i32) (param $oa i32) (param $ob i32)`,
  );
  e(
    `    (local $fa v128) (local $fb v128) (local $aa v128) (local $ab v128) (local $ba v128) (local $bb v128)`,
  );
  e(
    `    (local $m3f v128) (local $mc0 v128) (local $mff v128) (local $a v128) (local $b v128) (local $c v128)`,
  );
  e(
    `    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $xv v128) (local $t v128)`,
  );
  e(`    (local $u v128) (local $sc v128) (local $sv v128) (local $d v128)`);
  e(`    (local.set $m3f (i8x16.splat (i32.const 0x3f)))`);
  e(`    (local.set $mc0 (i8x16.splat (i32.const 0xc0)))`);
  e(`    (local.set $mff (i16x8.splat (i32.const 0xff)))`);
  e(`    (loop $blk`);
  e(`      (local.set $aa (v128.const i32x4 0 0 0 0))`);
  e(`      (local.set $ab (v128.const i32x4 0 0 0 0))`);
  e(`      (local.set $ba (v128.const i32x4 0 0 0 0))`);
  e(`      (local.set $bb (v128.const i32x4 0 0 0 0))`);
  e(`;;@if relaxed`);
  for (let s = 0; s < 16; s++) sub(s, true);
  e(`;;@else`);
  for (let s = 0; s < 16; s++) sub(s, false);
  e(`;;@end`);
  for (const line of f16x4('$d', 832)) e(line);
  for (const [f, acc, bs, xp] of [
    ['$fa', '$aa', '$ba', '$x'],
    ['$fb', '$ab', '$bb', '$y'],
  ]) {
    e(`      (local.set ${f}`);
    e(`        (f32x4.add (local.get ${f})`);
    e(`          (f32x4.mul`);
    e(
      `            (f32x4.convert_i32x4_s (i32x4.sub (local.get ${acc}) (i32x4.shl (local.get ${bs}) (i32.const 5))))`,
    );
    e(`            (f32x4.mul (local.get $d) (f32x4.splat (f32.load offset=304 (local.get ${xp})))))))`);
  }
  e(`      (local.set $w (i32.add (local.get $w) (i32.const 840)))`);
  e(`      (local.set $x (i32.add (local.get $x) (i32.const 320)))`);
  e(`      (local.set $y (i32.add (local.get $y) (i32.const 320)))`);
  e(`      (br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))`);
  e(`    (v128.store (local.get $oa) (local.get $fa))`);
  e(`    (v128.store (local.get $ob) (local.get $fb)))`);
  e(``);
  return L.join('\n');
}

/** Both builds of a kernel, selected by the build's `;;@if relaxed` handling. */
function bothBuilds(make, name, T) {
  return [';;@if relaxed', ...make(name, T, true), ';;@else', ...make(name, T, false), ';;@end'].join('\n');
}

/** `;;@generate NAME` → WAT text. */
export const generators = {
  q4_0: () => [bothBuilds(q4_0, '$q4_0_i4', 1), bothBuilds(q4_0, '$q4_0_i4x4', 4)].join('\n\n'),
  q4_k: () => [bothBuilds(q4_k, '$q4_k_i4', 1), bothBuilds(q4_k, '$q4_k_i4x4', 4)].join('\n\n'),
  q6_k: () => `${q6_kOne()}\n${q6_kTwo()}`,
};
