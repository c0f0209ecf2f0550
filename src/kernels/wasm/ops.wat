;; Small per-token ops in WebAssembly SIMD: rmsnorm, softmax, rope (from a cos/sin table), attention of one query over a KV cache.
;; All pointers are byte offsets into this module's memory; vectors are f32 unless the name says f16.
(module
  (memory (export "memory") 16)

  ;; exp(x) for four lanes: 2^(x·log2 e) = 2^n · 2^f, |f| ≤ ½, 2^f by its degree-7 Taylor series (≈1 ulp).
  (func $exp4 (param $x v128) (result v128)
    (local $y v128) (local $n v128) (local $f v128) (local $p v128)
    (local.set $y
      (f32x4.min
        (f32x4.max (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.4426950408889634))) (f32x4.splat (f32.const -126)))
        (f32x4.splat (f32.const 127))))
    (local.set $n (f32x4.nearest (local.get $y)))
    (local.set $f (f32x4.mul (f32x4.sub (local.get $y) (local.get $n)) (f32x4.splat (f32.const 0.6931471805599453))))
    ;; e^f, Horner
    (local.set $p (f32x4.splat (f32.const 1.984126984126984e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 1.388888888888889e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 8.333333333333333e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 4.1666666666666664e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 0.16666666666666666))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 0.5))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $f)) (f32x4.splat (f32.const 1))))
    ;; × 2^n: add n to the exponent field; x below −126·ln 2 gives 0
    (v128.and
      (i32x4.add (local.get $p) (i32x4.shl (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32.const 23)))
      (f32x4.gt (local.get $y) (f32x4.splat (f32.const -126)))))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; out = x / sqrt(mean(x²) + eps) · w for one row of n (n a multiple of 4); Σx² in f64 as ggml does.
  (func (export "rmsnorm") (param $out i32) (param $x i32) (param $w i32) (param $n i32) (param $eps f32)
    (local $i i32) (local $v v128) (local $s v128) (local $sc v128)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $v (f32x4.mul (local.get $v) (local.get $v)))
      (local.set $s (f64x2.add (local.get $s) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $s
        (f64x2.add (local.get $s)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l)))
    (local.set $sc
      (f32x4.splat
        (f32.div (f32.const 1)
          (f32.sqrt
            (f32.add
              (f32.demote_f64
                (f64.div
                  (f64.add (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 1 (local.get $s)))
                  (f64.convert_i32_u (local.get $n))))
              (local.get $eps))))))
    (local.set $i (i32.const 0))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $i) (local.get $n)))
      (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
        (f32x4.mul
          (f32x4.mul (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $sc))
          (v128.load (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l2))))

  ;; In-place softmax of n floats (n a multiple of 4; pad with −inf), after scaling by `scale`.
  (func $softmax (export "softmax") (param $x i32) (param $n i32) (param $scale f32)
    (local $i i32) (local $m v128) (local $mx f32) (local $s v128) (local $e v128) (local $inv v128) (local $sc v128)
    (local.set $m (f32x4.splat (f32.const -inf)))
    (local.set $sc (f32x4.splat (local.get $scale)))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $m
        (f32x4.max (local.get $m)
          (f32x4.mul (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $sc))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l)))
    (local.set $mx
      (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
        (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (local.set $m (f32x4.splat (local.get $mx)))
    (local.set $i (i32.const 0))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $e
        (call $exp4
          (f32x4.sub
            (f32x4.mul (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $sc))
            (local.get $m))))
      (v128.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))) (local.get $e))
      (local.set $s (f32x4.add (local.get $s) (local.get $e)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l2)))
    (local.set $inv (f32x4.splat (f32.div (f32.const 1) (call $hsum (local.get $s)))))
    (local.set $i (i32.const 0))
    (block $d3 (loop $l3
      (br_if $d3 (i32.ge_u (local.get $i) (local.get $n)))
      (v128.store (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))
        (f32x4.mul (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $inv)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l3))))

  ;; Rotates the first nRot dims of each of nHead heads (headDim apart) by the angles whose cos/sin are
  ;; given (cs: nRot/2 pairs cos, sin). neox: pairs (i, i + nRot/2); otherwise pairs (2i, 2i + 1).
  (func (export "rope") (param $x i32) (param $nHead i32) (param $headDim i32) (param $nRot i32) (param $cs i32)
    (param $neox i32)
    (local $h i32) (local $i i32) (local $p i32) (local $a i32) (local $b i32) (local $c f32) (local $s f32)
    (local $x0 f32) (local $x1 f32) (local $half i32)
    (local.set $half (i32.shr_u (local.get $nRot) (i32.const 1)))
    (block $dh (loop $lh
      (br_if $dh (i32.ge_u (local.get $h) (local.get $nHead)))
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $h) (local.get $headDim)) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $di (loop $li
        (br_if $di (i32.ge_u (local.get $i) (local.get $half)))
        (local.set $c (f32.load (i32.add (local.get $cs) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $s (f32.load offset=4 (i32.add (local.get $cs) (i32.shl (local.get $i) (i32.const 3)))))
        (if (local.get $neox)
          (then
            (local.set $a (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $b (i32.add (local.get $a) (i32.shl (local.get $half) (i32.const 2)))))
          (else
            (local.set $a (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $b (i32.add (local.get $a) (i32.const 4)))))
        (local.set $x0 (f32.load (local.get $a)))
        (local.set $x1 (f32.load (local.get $b)))
        (f32.store (local.get $a) (f32.sub (f32.mul (local.get $x0) (local.get $c)) (f32.mul (local.get $x1) (local.get $s))))
        (f32.store (local.get $b) (f32.add (f32.mul (local.get $x0) (local.get $s)) (f32.mul (local.get $x1) (local.get $c))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $li)))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $lh))))

  ;; Four f16 at p → f32x4.
  (func $f16x4 (param $p i32) (result v128)
    (local $v v128)
    (local.set $v (v128.load16x4_u (local.get $p)))
    (v128.or
      (f32x4.mul
        (i32x4.shl (v128.and (local.get $v) (i32x4.splat (i32.const 0x7fff))) (i32.const 13))
        (f32x4.splat (f32.const 0x1p112)))
      (i32x4.shl (v128.and (local.get $v) (i32x4.splat (i32.const 0x8000))) (i32.const 16))))

  ;; Attention of one query (nHead heads of headDim, headDim a multiple of 4) over positions
  ;; [start, end) of a cache whose rows (one per position) hold nHeadKv heads: K at kc, V at vc, `rowElems`
  ;; elements apart; `f16` selects an f16 cache (else f32). Query head h reads KV head h / (nHead / nHeadKv).
  ;; scores: scratch of (end − start + 3) floats. out: nHead·headDim floats.
  (func (export "attention") (param $q i32) (param $kc i32) (param $vc i32) (param $f16 i32) (param $rowElems i32)
    (param $start i32) (param $end i32) (param $nHead i32) (param $nHeadKv i32) (param $headDim i32)
    (param $scale f32) (param $scores i32) (param $out i32)
    (local $h i32) (local $kvh i32) (local $t i32) (local $d i32) (local $acc v128) (local $qh i32) (local $oh i32)
    (local $row i32) (local $es i32) (local $n i32) (local $np i32) (local $pj v128) (local $rb i32)
    (local.set $es (select (i32.const 2) (i32.const 4) (local.get $f16)))
    (local.set $rb (i32.mul (local.get $rowElems) (local.get $es)))
    (local.set $n (i32.sub (local.get $end) (local.get $start)))
    (local.set $np (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)))
    (block $dh (loop $lh
      (br_if $dh (i32.ge_u (local.get $h) (local.get $nHead)))
      (local.set $kvh (i32.div_u (local.get $h) (i32.div_u (local.get $nHead) (local.get $nHeadKv))))
      (local.set $qh (i32.add (local.get $q) (i32.shl (i32.mul (local.get $h) (local.get $headDim)) (i32.const 2))))
      (local.set $oh (i32.add (local.get $out) (i32.shl (i32.mul (local.get $h) (local.get $headDim)) (i32.const 2))))
      ;; scores[t] = q·k_t
      (local.set $t (i32.const 0))
      (block $dt (loop $lt
        (br_if $dt (i32.ge_u (local.get $t) (local.get $n)))
        (local.set $row
          (i32.add (local.get $kc)
            (i32.add (i32.mul (i32.add (local.get $start) (local.get $t)) (local.get $rb))
              (i32.mul (i32.mul (local.get $kvh) (local.get $headDim)) (local.get $es)))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (if (local.get $f16)
          (then
            (block $dd (loop $ld
              (br_if $dd (i32.ge_u (local.get $d) (local.get $headDim)))
              (local.set $acc
                (f32x4.add (local.get $acc)
                  (f32x4.mul
                    (v128.load (i32.add (local.get $qh) (i32.shl (local.get $d) (i32.const 2))))
                    (call $f16x4 (i32.add (local.get $row) (i32.shl (local.get $d) (i32.const 1)))))))
              (local.set $d (i32.add (local.get $d) (i32.const 4)))
              (br $ld))))
          (else
            (block $dd2 (loop $ld2
              (br_if $dd2 (i32.ge_u (local.get $d) (local.get $headDim)))
              (local.set $acc
                (f32x4.add (local.get $acc)
                  (f32x4.mul
                    (v128.load (i32.add (local.get $qh) (i32.shl (local.get $d) (i32.const 2))))
                    (v128.load (i32.add (local.get $row) (i32.shl (local.get $d) (i32.const 2)))))))
              (local.set $d (i32.add (local.get $d) (i32.const 4)))
              (br $ld2)))))
        (f32.store (i32.add (local.get $scores) (i32.shl (local.get $t) (i32.const 2))) (call $hsum (local.get $acc)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $lt)))
      ;; pad to a multiple of 4 with −inf, softmax
      (block $dp (loop $lp
        (br_if $dp (i32.ge_u (local.get $t) (local.get $np)))
        (f32.store (i32.add (local.get $scores) (i32.shl (local.get $t) (i32.const 2))) (f32.const -inf))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $lp)))
      (call $softmax (local.get $scores) (local.get $np) (local.get $scale))
      ;; out_h = Σ_t p_t · v_t
      (local.set $d (i32.const 0))
      (block $dz (loop $lz
        (br_if $dz (i32.ge_u (local.get $d) (local.get $headDim)))
        (v128.store (i32.add (local.get $oh) (i32.shl (local.get $d) (i32.const 2))) (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $lz)))
      (local.set $t (i32.const 0))
      (block $dv (loop $lv
        (br_if $dv (i32.ge_u (local.get $t) (local.get $n)))
        (local.set $pj (f32x4.splat (f32.load (i32.add (local.get $scores) (i32.shl (local.get $t) (i32.const 2))))))
        (local.set $row
          (i32.add (local.get $vc)
            (i32.add (i32.mul (i32.add (local.get $start) (local.get $t)) (local.get $rb))
              (i32.mul (i32.mul (local.get $kvh) (local.get $headDim)) (local.get $es)))))
        (local.set $d (i32.const 0))
        (block $dd3 (loop $ld3
          (br_if $dd3 (i32.ge_u (local.get $d) (local.get $headDim)))
          (v128.store (i32.add (local.get $oh) (i32.shl (local.get $d) (i32.const 2)))
            (f32x4.add
              (v128.load (i32.add (local.get $oh) (i32.shl (local.get $d) (i32.const 2))))
              (f32x4.mul (local.get $pj)
                (if (result v128) (local.get $f16)
                  (then (call $f16x4 (i32.add (local.get $row) (i32.shl (local.get $d) (i32.const 1)))))
                  (else (v128.load (i32.add (local.get $row) (i32.shl (local.get $d) (i32.const 2)))))))))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (br $ld3)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $lv)))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $lh))))

  ;; f32 → f16 bits (round to nearest even; ggml's recipe), for writing an f16 cache.
  (func $f32_to_f16 (param $f f32) (result i32)
    (local $w i32) (local $shl1 i32) (local $bias i32) (local $base f32) (local $bits i32)
    (local.set $base (f32.mul (f32.mul (f32.abs (local.get $f)) (f32.const 0x1p112)) (f32.const 0x1p-110)))
    (local.set $w (i32.reinterpret_f32 (local.get $f)))
    (local.set $shl1 (i32.add (local.get $w) (local.get $w)))
    (local.set $bias (i32.and (local.get $shl1) (i32.const 0xFF000000)))
    (if (i32.lt_u (local.get $bias) (i32.const 0x71000000))
      (then (local.set $bias (i32.const 0x71000000))))
    (local.set $base
      (f32.add
        (f32.reinterpret_i32 (i32.add (i32.shr_u (local.get $bias) (i32.const 1)) (i32.const 0x07800000)))
        (local.get $base)))
    (local.set $bits (i32.reinterpret_f32 (local.get $base)))
    (i32.or
      (i32.shr_u (i32.and (local.get $w) (i32.const 0x80000000)) (i32.const 16))
      (select
        (i32.const 0x7E00)
        (i32.add
          (i32.and (i32.shr_u (local.get $bits) (i32.const 13)) (i32.const 0x7C00))
          (i32.and (local.get $bits) (i32.const 0x0FFF)))
        (i32.gt_u (local.get $shl1) (i32.const 0xFF000000)))))

  ;; Converts n floats at src to f16 at dst.
  (func (export "to_f16") (param $src i32) (param $dst i32) (param $n i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $n)))
      (i32.store16 (local.get $dst) (call $f32_to_f16 (f32.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 2)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l))))
)
