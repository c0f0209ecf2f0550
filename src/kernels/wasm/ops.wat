;; Small per-token ops in WebAssembly SIMD: rmsnorm, softmax, silu·up, rope (from a cos/sin table), attention of one query over a KV cache.
;; All pointers are byte offsets into this module's memory; vectors are f32 unless the name says f16.
;;@variants shared
(module
;;@if shared
  (import "env" "memory" (memory 1 65536 shared))
  (export "memory" (memory 0))
;;@else
  (memory (export "memory") 16)
;;@end

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

;; out[i] = silu(gate[i]) · up[i] = gate/(1 + e^−gate) · up, for n floats (n a multiple of 4).
  (func (export "silu_mul") (param $gate i32) (param $up i32) (param $out i32) (param $n i32)
    (local $g v128) (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $out) (local.get $end)))
      (local.set $g (v128.load (local.get $gate)))
      (v128.store (local.get $out)
        (f32x4.mul
          (f32x4.div (local.get $g)
            (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.neg (local.get $g)))))
          (v128.load (local.get $up))))
      (local.set $gate (i32.add (local.get $gate) (i32.const 16)))
      (local.set $up (i32.add (local.get $up) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $l))))

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
    (call $f16bits_f32x4 (v128.load16x4_u (local.get $p))))

  ;; f16 bit patterns in the low halves of four i32 lanes → f32x4 (exact for finite values; the multiply
  ;; renormalises subnormals).
  (func $f16bits_f32x4 (param $v v128) (result v128)
    (v128.or
      (f32x4.mul
        (i32x4.shl (v128.and (local.get $v) (i32x4.splat (i32.const 0x7fff))) (i32.const 13))
        (f32x4.splat (f32.const 0x1p112)))
      (i32x4.shl (v128.and (local.get $v) (i32x4.splat (i32.const 0x8000))) (i32.const 16))))

  ;; f32x4 → f16 bits in each i32 lane: ggml's fp32_to_fp16 recipe (round to nearest even), four at once.
  (func $f16bits_of_f32x4 (param $f v128) (result v128)
    (local $shl1 v128) (local $bias v128) (local $base v128)
    (local.set $base
      (f32x4.mul (f32x4.mul (f32x4.abs (local.get $f)) (f32x4.splat (f32.const 0x1p112))) (f32x4.splat (f32.const 0x1p-110))))
    (local.set $shl1 (i32x4.add (local.get $f) (local.get $f)))
    (local.set $bias
      (i32x4.max_u (v128.and (local.get $shl1) (i32x4.splat (i32.const 0xFF000000))) (i32x4.splat (i32.const 0x71000000))))
    (local.set $base
      (f32x4.add (i32x4.add (i32x4.shr_u (local.get $bias) (i32.const 1)) (i32x4.splat (i32.const 0x07800000))) (local.get $base)))
    (v128.or
      (i32x4.shr_u (v128.and (local.get $f) (i32x4.splat (i32.const 0x80000000))) (i32.const 16))
      (v128.bitselect
        (i32x4.splat (i32.const 0x7E00))
        (i32x4.add
          (v128.and (i32x4.shr_u (local.get $base) (i32.const 13)) (i32x4.splat (i32.const 0x7C00)))
          (v128.and (local.get $base) (i32x4.splat (i32.const 0x0FFF))))
        (i32x4.gt_u (local.get $shl1) (i32x4.splat (i32.const 0xFF000000))))))

  ;; f32x4 rounded to the nearest f16 values (as llama.cpp's f16 operands), back in f32.
  (func $round_f16x4 (param $f v128) (result v128)
    (call $f16bits_f32x4 (call $f16bits_of_f32x4 (local.get $f))))

  ;; In place: x[0..n) (n a multiple of 4) rounded to f16 precision.
  (func $round_f16_n (param $x i32) (param $n i32)
    (local $f v128) (local $shl1 v128) (local $bias v128) (local $base v128) (local $h v128)
    (block $d (loop $l
      (br_if $d (i32.le_s (local.get $n) (i32.const 0)))
      ;; $f16bits_of_f32x4 then $f16bits_f32x4, written out (V8 in Node 20 does not inline wasm calls)
      (local.set $f (v128.load (local.get $x)))
      (local.set $base
        (f32x4.mul (f32x4.mul (f32x4.abs (local.get $f)) (f32x4.splat (f32.const 0x1p112))) (f32x4.splat (f32.const 0x1p-110))))
      (local.set $shl1 (i32x4.add (local.get $f) (local.get $f)))
      (local.set $bias
        (i32x4.max_u (v128.and (local.get $shl1) (i32x4.splat (i32.const 0xFF000000))) (i32x4.splat (i32.const 0x71000000))))
      (local.set $base
        (f32x4.add (i32x4.add (i32x4.shr_u (local.get $bias) (i32.const 1)) (i32x4.splat (i32.const 0x07800000))) (local.get $base)))
      (local.set $h
        (v128.or
          (i32x4.shr_u (v128.and (local.get $f) (i32x4.splat (i32.const 0x80000000))) (i32.const 16))
          (v128.bitselect
            (i32x4.splat (i32.const 0x7E00))
            (i32x4.add
              (v128.and (i32x4.shr_u (local.get $base) (i32.const 13)) (i32x4.splat (i32.const 0x7C00)))
              (v128.and (local.get $base) (i32x4.splat (i32.const 0x0FFF))))
            (i32x4.gt_u (local.get $shl1) (i32x4.splat (i32.const 0xFF000000))))))
      (v128.store (local.get $x)
        (v128.or
          (f32x4.mul
            (i32x4.shl (v128.and (local.get $h) (i32x4.splat (i32.const 0x7fff))) (i32.const 13))
            (f32x4.splat (f32.const 0x1p112)))
          (i32x4.shl (v128.and (local.get $h) (i32x4.splat (i32.const 0x8000))) (i32.const 16))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 4)))
      (br $l))))

  ;; Copies rows [r0, r1) of one KV head — hd elements at byte `hoff` of each `rb`-byte row from `base` — to
  ;; dst as contiguous f32 rows of hd. type: 0 f32, 1 f16, 2 q8_0 (34-byte blocks: f16 scale, 32 × i8).
  (func $load_head (param $base i32) (param $rb i32) (param $hoff i32) (param $r0 i32) (param $r1 i32)
    (param $hd i32) (param $type i32) (param $dst i32)
    (local $src i32) (local $p i32) (local $d i32) (local $sc v128) (local $q v128)
    (local $m7 v128) (local $m8 v128) (local $k112 v128)
    (local.set $m7 (i32x4.splat (i32.const 0x7fff)))
    (local.set $m8 (i32x4.splat (i32.const 0x8000)))
    (local.set $k112 (f32x4.splat (f32.const 0x1p112)))
    (local.set $src (i32.add (i32.add (local.get $base) (local.get $hoff)) (i32.mul (local.get $r0) (local.get $rb))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r0) (local.get $r1)))
      (local.set $p (local.get $src))
      (local.set $d (i32.const 0))
      (if (i32.eqz (local.get $type))
        (then
          (block $d0 (loop $l0
            (br_if $d0 (i32.ge_u (local.get $d) (local.get $hd)))
            (v128.store (local.get $dst) (v128.load (local.get $p)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $l0))))
        (else (if (i32.eq (local.get $type) (i32.const 1))
          (then
            (block $d1 (loop $l1
              (br_if $d1 (i32.ge_u (local.get $d) (local.get $hd)))
              ;; f16 → f32 inline (a call per four values cost more than the conversion)
              (local.set $q (v128.load16x4_u (local.get $p)))
              (v128.store (local.get $dst)
                (v128.or
                  (f32x4.mul (i32x4.shl (v128.and (local.get $q) (local.get $m7)) (i32.const 13)) (local.get $k112))
                  (i32x4.shl (v128.and (local.get $q) (local.get $m8)) (i32.const 16))))
              (local.set $p (i32.add (local.get $p) (i32.const 8)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
              (local.set $d (i32.add (local.get $d) (i32.const 4)))
              (br $l1))))
          (else
            (block $d2 (loop $l2
              (br_if $d2 (i32.ge_u (local.get $d) (local.get $hd)))
              (local.set $sc (f32x4.splat (f32x4.extract_lane 0 (call $f16x4 (local.get $p)))))
              (local.set $q (v128.load offset=2 (local.get $p)))
              (v128.store offset=0 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q))))))
              (v128.store offset=16 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q))))))
              (v128.store offset=32 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q))))))
              (v128.store offset=48 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q))))))
              (local.set $q (v128.load offset=18 (local.get $p)))
              (v128.store offset=64 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q))))))
              (v128.store offset=80 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q))))))
              (v128.store offset=96 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q))))))
              (v128.store offset=112 (local.get $dst) (f32x4.mul (local.get $sc)
                (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q))))))
              (local.set $p (i32.add (local.get $p) (i32.const 34)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
              (local.set $d (i32.add (local.get $d) (i32.const 32)))
              (br $l2)))))))
      (local.set $src (i32.add (local.get $src) (local.get $rb)))
      (local.set $r0 (i32.add (local.get $r0) (i32.const 1)))
      (br $rows))))

;; One query head (hd floats at q, already scaled / rounded; hd a multiple of 8) over `span` positions of
  ;; an f16 cache head (rows rb bytes apart from kp / vp): scores, softmax, out = Σ p·v — the gather path's
  ;; arithmetic in the same order, with each f16 converted in registers. The conversion skips its ×2^112
  ;; (sign-extend, shift, mask gives value·2^-112): q and p carry the 2^112 instead, which leaves every
  ;; product, and so every sum, bit-identical. q is modified (× 2^112).
  (func $attend_f16_one (param $q i32) (param $kp i32) (param $vp i32) (param $rb i32) (param $span i32)
    (param $hd i32) (param $scale f32) (param $prescale i32) (param $rp i32) (param $scores i32) (param $out i32)
    (local $hb i32) (local $d i32) (local $j i32) (local $np i32) (local $row i32) (local $m v128) (local $k v128)
    (local $qa v128) (local $qb v128) (local $w v128) (local $pj v128) (local $s f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $o i32)
    (local.set $hb (i32.shl (local.get $hd) (i32.const 2)))
    (local.set $m (i32x4.splat (i32.const 0x8FFFFFFF)))
    (local.set $k (f32x4.splat (f32.const 0x1p112)))
    (local.set $d (i32.const 0))
    (block $dq (loop $lq
      (br_if $dq (i32.ge_u (local.get $d) (local.get $hb)))
      (v128.store (i32.add (local.get $q) (local.get $d))
        (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $d))) (local.get $k)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (br $lq)))
    ;; scores, four keys at a time
    (local.set $j (i32.const 0))
    (block $ds (loop $ls
      (br_if $ds (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $span)))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0))
      (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $row (i32.add (local.get $kp) (i32.mul (local.get $j) (local.get $rb))))
      (local.set $d (i32.const 0))
      (block $dd (loop $ld
        (br_if $dd (i32.ge_u (local.get $d) (local.get $hb)))
        (local.set $qa (v128.load (i32.add (local.get $q) (local.get $d))))
        (local.set $qb (v128.load offset=16 (i32.add (local.get $q) (local.get $d))))
        (local.set $w (v128.load (local.get $row)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $qa)
          (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $qb)
          (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $w (v128.load (i32.add (local.get $row) (local.get $rb))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $qa)
          (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $qb)
          (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $w (v128.load (i32.add (local.get $row) (i32.shl (local.get $rb) (i32.const 1)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $qa)
          (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $qb)
          (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $w (v128.load (i32.add (local.get $row) (i32.mul (local.get $rb) (i32.const 3)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $qa)
          (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $qb)
          (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 32)))
        (br $ld)))
      ;; transpose-add: lanes → [Σa0, Σa1, Σa2, Σa3]
      (local.set $a0 (f32x4.add
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
      (local.set $a2 (f32x4.add
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
      (local.set $a0 (f32x4.add
        (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a2))
        (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a2))))
      (if (i32.eqz (local.get $prescale)) (then (local.set $a0 (f32x4.mul (local.get $a0) (f32x4.splat (local.get $scale))))))
      (v128.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))) (local.get $a0))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $ls)))
    (block $dr (loop $lr
      (br_if $dr (i32.ge_u (local.get $j) (local.get $span)))
      (local.set $a0 (v128.const i32x4 0 0 0 0))
      (local.set $row (i32.add (local.get $kp) (i32.mul (local.get $j) (local.get $rb))))
      (local.set $d (i32.const 0))
      (block $dd2 (loop $ld2
        (br_if $dd2 (i32.ge_u (local.get $d) (local.get $hb)))
        (local.set $w (v128.load (local.get $row)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $d)))
          (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load offset=16 (i32.add (local.get $q) (local.get $d)))
          (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (local.set $d (i32.add (local.get $d) (i32.const 32)))
        (br $ld2)))
      (local.set $s (call $hsum (local.get $a0)))
      (f32.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2)))
        (select (local.get $s) (f32.mul (local.get $s) (local.get $scale)) (local.get $prescale)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $lr)))
    (local.set $np (i32.and (i32.add (local.get $span) (i32.const 3)) (i32.const -4)))
    (block $dp (loop $lp
      (br_if $dp (i32.ge_u (local.get $j) (local.get $np)))
      (f32.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))) (f32.const -inf))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $lp)))
    (call $softmax (local.get $scores) (local.get $np) (f32.const 1))
    (if (local.get $rp) (then (call $round_f16_n (local.get $scores) (local.get $np))))
    ;; out = Σ_j p_j · v_j in one pass over the positions, each row read whole (8 dims per 16 bytes) into
    ;; sums kept in `out` (L1): the rows then stream sequentially, which the prefetcher follows; passes of
    ;; 32 dims over all positions (192-byte stride) left the loop waiting on memory. Same order of sums.
    (local.set $d (i32.const 0))
    (block $dz (loop $lz
      (br_if $dz (i32.ge_u (local.get $d) (local.get $hb)))
      (v128.store (i32.add (local.get $out) (local.get $d)) (v128.const i32x4 0 0 0 0))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (br $lz)))
    (local.set $row (local.get $vp))
    (local.set $j (i32.const 0))
    (block $dj (loop $lj
      (br_if $dj (i32.ge_u (local.get $j) (local.get $span)))
      (local.set $pj (f32x4.mul (v128.load32_splat (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2)))) (local.get $k)))
      (local.set $d (i32.const 0))
      (block $dd3 (loop $ld3
        (local.set $w (v128.load (i32.add (local.get $row) (i32.shr_u (local.get $d) (i32.const 1)))))
        (local.set $o (i32.add (local.get $out) (local.get $d)))
        (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (f32x4.mul (local.get $pj)
          (v128.and (i32x4.shl (i32x4.extend_low_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (v128.store offset=16 (local.get $o) (f32x4.add (v128.load offset=16 (local.get $o)) (f32x4.mul (local.get $pj)
          (v128.and (i32x4.shl (i32x4.extend_high_i16x8_s (local.get $w)) (i32.const 13)) (local.get $m)))))
        (br_if $ld3 (i32.lt_u (local.tee $d (i32.add (local.get $d) (i32.const 32))) (local.get $hb)))))
      (local.set $row (i32.add (local.get $row) (local.get $rb)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $lj))))

  ;; Causal attention of n new tokens (positions pos0 … pos0+n−1) over a layer's cache, as llama.cpp's
  ;; graph computes it: q (n rows, `qs` bytes apart, nHead heads of hd) is scaled first when `prescale`
  ;; (phi3) and rounded to f16 when `rq` (f16 cache: ggml multiplies f16·f16); scores = q·k (· scale unless
  ;; prescaled); softmax; probabilities rounded to f16 when `rp`; out (rows `os` bytes apart) = Σ p·v.
  ;; win > 0 limits each token to its last `win` positions. The cache is head-major: KV head h's rows
  ;; (one position each, rb bytes, type as $load_head) start at kc + h·hs (vc + h·hs), so each head streams
  ;; from one contiguous region (row-major caches cost a page per row per head); its rows are converted
  ;; into kbuf/vbuf (f32, (pos0 + n) · hd floats each); scores: pos0 + n + 4 floats.
  ;; GQA: query head h reads KV head h / (nHead / nHeadKv). hd must be a multiple of 4 (32 for q8_0).
  (func (export "attend")
    (param $q i32) (param $qs i32) (param $n i32) (param $pos0 i32) (param $win i32)
    (param $nHead i32) (param $nHeadKv i32) (param $hd i32) (param $scale f32) (param $prescale i32)
    (param $rq i32) (param $rp i32) (param $kc i32) (param $vc i32) (param $rb i32) (param $type i32) (param $hs i32)
    (param $kbuf i32) (param $vbuf i32) (param $scores i32) (param $out i32) (param $os i32)
    (local $i i32) (local $e i32) (local $p i32) (local $v v128) (local $sc v128)
    (local $kvh i32) (local $h i32) (local $h1 i32) (local $group i32) (local $rlo i32) (local $rhi i32)
    (local $hoff i32) (local $pos i32) (local $lo i32) (local $span i32) (local $np i32) (local $qh i32)
    (local $kp i32) (local $vp i32) (local $j i32) (local $d i32) (local $hb i32) (local $row i32) (local $qv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $pj v128)
    (local.set $sc (f32x4.splat (local.get $scale)))
    (local.set $hb (i32.shl (local.get $hd) (i32.const 2)))
    ;; q: scale / round in place
    (if (i32.or (local.get $prescale) (local.get $rq))
      (then
        (local.set $i (i32.const 0))
        (block $dq (loop $lq
          (br_if $dq (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $p (i32.add (local.get $q) (i32.mul (local.get $i) (local.get $qs))))
          (local.set $e (i32.const 0))
          (block $de (loop $le
            (br_if $de (i32.ge_u (local.get $e) (i32.mul (local.get $nHead) (local.get $hd))))
            (local.set $v (v128.load (local.get $p)))
            (if (local.get $prescale) (then (local.set $v (f32x4.mul (local.get $v) (local.get $sc)))))
            (if (local.get $rq) (then (local.set $v (call $round_f16x4 (local.get $v)))))
            (v128.store (local.get $p) (local.get $v))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $e (i32.add (local.get $e) (i32.const 4)))
            (br $le)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $lq)))))
    (local.set $group (i32.div_u (local.get $nHead) (local.get $nHeadKv)))
    (local.set $rhi (i32.add (local.get $pos0) (local.get $n)))
    (local.set $rlo (i32.const 0))
    (if (i32.and (i32.gt_s (local.get $win) (i32.const 0))
          (i32.gt_s (i32.sub (local.get $pos0) (local.get $win)) (i32.const -1)))
      (then (local.set $rlo (i32.add (i32.sub (local.get $pos0) (local.get $win)) (i32.const 1)))))
    (block $dkv (loop $lkv
      (br_if $dkv (i32.ge_u (local.get $kvh) (local.get $nHeadKv)))
      (local.set $hoff (i32.mul (local.get $kvh) (local.get $hs)))
      ;; one new token over an f16 cache (decode): convert in registers instead of gathering
      (if (i32.and (i32.and (i32.eq (local.get $n) (i32.const 1)) (i32.eq (local.get $type) (i32.const 1)))
            (i32.eqz (i32.and (local.get $hd) (i32.const 7))))
        (then
          (local.set $lo (i32.const 0))
          (if (i32.and (i32.gt_s (local.get $win) (i32.const 0))
                (i32.gt_s (i32.sub (local.get $pos0) (local.get $win)) (i32.const -1)))
            (then (local.set $lo (i32.add (i32.sub (local.get $pos0) (local.get $win)) (i32.const 1)))))
          (local.set $h (i32.mul (local.get $kvh) (local.get $group)))
          (local.set $h1 (i32.add (local.get $h) (local.get $group)))
          (block $dh1 (loop $lh1
            (br_if $dh1 (i32.ge_u (local.get $h) (local.get $h1)))
            (call $attend_f16_one
              (i32.add (local.get $q) (i32.mul (local.get $h) (local.get $hb)))
              (i32.add (i32.add (local.get $kc) (local.get $hoff)) (i32.mul (local.get $lo) (local.get $rb)))
              (i32.add (i32.add (local.get $vc) (local.get $hoff)) (i32.mul (local.get $lo) (local.get $rb)))
              (local.get $rb) (i32.add (i32.sub (local.get $pos0) (local.get $lo)) (i32.const 1)) (local.get $hd)
              (local.get $scale) (local.get $prescale) (local.get $rp) (local.get $scores)
              (i32.add (local.get $out) (i32.mul (local.get $h) (local.get $hb))))
            (local.set $h (i32.add (local.get $h) (i32.const 1)))
            (br $lh1)))
          (local.set $kvh (i32.add (local.get $kvh) (i32.const 1)))
          (br $lkv)))
      (call $load_head (local.get $kc) (local.get $rb) (local.get $hoff) (local.get $rlo) (local.get $rhi)
        (local.get $hd) (local.get $type) (local.get $kbuf))
      (call $load_head (local.get $vc) (local.get $rb) (local.get $hoff) (local.get $rlo) (local.get $rhi)
        (local.get $hd) (local.get $type) (local.get $vbuf))
      (local.set $h (i32.mul (local.get $kvh) (local.get $group)))
      (local.set $h1 (i32.add (local.get $h) (local.get $group)))
      (block $dh (loop $lh
        (br_if $dh (i32.ge_u (local.get $h) (local.get $h1)))
        (local.set $i (i32.const 0))
        (block $dt (loop $lt
          (br_if $dt (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $pos (i32.add (local.get $pos0) (local.get $i)))
          (local.set $lo (i32.const 0))
          (if (i32.and (i32.gt_s (local.get $win) (i32.const 0))
                (i32.gt_s (i32.sub (local.get $pos) (local.get $win)) (i32.const -1)))
            (then (local.set $lo (i32.add (i32.sub (local.get $pos) (local.get $win)) (i32.const 1)))))
          (local.set $span (i32.add (i32.sub (local.get $pos) (local.get $lo)) (i32.const 1)))
          (local.set $np (i32.and (i32.add (local.get $span) (i32.const 3)) (i32.const -4)))
          (local.set $qh
            (i32.add (i32.add (local.get $q) (i32.mul (local.get $i) (local.get $qs))) (i32.mul (local.get $h) (local.get $hb))))
          (local.set $kp (i32.add (local.get $kbuf) (i32.mul (i32.sub (local.get $lo) (local.get $rlo)) (local.get $hb))))
          ;; scores, four keys at a time (four independent sums, one q load each)
          (local.set $j (i32.const 0))
          (block $ds (loop $ls
            (br_if $ds (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $span)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $row (local.get $kp))
            (local.set $d (i32.const 0))
            (block $dd (loop $ld
              (br_if $dd (i32.ge_u (local.get $d) (local.get $hb)))
              (local.set $qv (v128.load (i32.add (local.get $qh) (local.get $d))))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $qv) (v128.load (local.get $row)))))
              (local.set $a1 (f32x4.add (local.get $a1)
                (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $row) (local.get $hb))))))
              (local.set $a2 (f32x4.add (local.get $a2)
                (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $row) (i32.shl (local.get $hb) (i32.const 1)))))))
              (local.set $a3 (f32x4.add (local.get $a3)
                (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $row) (i32.mul (local.get $hb) (i32.const 3)))))))
              (local.set $row (i32.add (local.get $row) (i32.const 16)))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (br $ld)))
            ;; transpose-add: lanes → [Σa0, Σa1, Σa2, Σa3]
            (local.set $a0 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a0) (local.get $a1))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a0) (local.get $a1))))
            (local.set $a2 (f32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a2) (local.get $a3))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a2) (local.get $a3))))
            (local.set $a0 (f32x4.add
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a2))
              (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a2))))
            (if (i32.eqz (local.get $prescale)) (then (local.set $a0 (f32x4.mul (local.get $a0) (local.get $sc)))))
            (v128.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))) (local.get $a0))
            (local.set $kp (i32.add (local.get $kp) (i32.shl (local.get $hb) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $ls)))
          (block $dr (loop $lr
            (br_if $dr (i32.ge_u (local.get $j) (local.get $span)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $d (i32.const 0))
            (block $dd2 (loop $ld2
              (br_if $dd2 (i32.ge_u (local.get $d) (local.get $hb)))
              (local.set $a0 (f32x4.add (local.get $a0)
                (f32x4.mul (v128.load (i32.add (local.get $qh) (local.get $d))) (v128.load (i32.add (local.get $kp) (local.get $d))))))
              (local.set $d (i32.add (local.get $d) (i32.const 16)))
              (br $ld2)))
            (f32.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2)))
              (if (result f32) (local.get $prescale)
                (then (call $hsum (local.get $a0)))
                (else (f32.mul (call $hsum (local.get $a0)) (local.get $scale)))))
            (local.set $kp (i32.add (local.get $kp) (local.get $hb)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lr)))
          (block $dp (loop $lp
            (br_if $dp (i32.ge_u (local.get $j) (local.get $np)))
            (f32.store (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))) (f32.const -inf))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lp)))
          (call $softmax (local.get $scores) (local.get $np) (f32.const 1))
          (if (local.get $rp) (then (call $round_f16_n (local.get $scores) (local.get $np))))
          ;; out = Σ_j p_j · v_j, sixteen dims at a time in registers
          (local.set $vp (i32.add (local.get $vbuf) (i32.mul (i32.sub (local.get $lo) (local.get $rlo)) (local.get $hb))))
          (local.set $p
            (i32.add (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $os))) (i32.mul (local.get $h) (local.get $hb))))
          (local.set $d (i32.const 0))
          (block $dv (loop $lv
            (br_if $dv (i32.ge_u (local.get $d) (local.get $hb)))
            (local.set $a0 (v128.const i32x4 0 0 0 0))
            (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0))
            (local.set $a3 (v128.const i32x4 0 0 0 0))
            (local.set $row (i32.add (local.get $vp) (local.get $d)))
            (local.set $j (i32.const 0))
            (if (i32.le_u (i32.add (local.get $d) (i32.const 64)) (local.get $hb))
              (then
                (block $dj (loop $lj
                  (br_if $dj (i32.ge_u (local.get $j) (local.get $span)))
                  (local.set $pj (v128.load32_splat (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2)))))
                  (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $pj) (v128.load offset=0 (local.get $row)))))
                  (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $pj) (v128.load offset=16 (local.get $row)))))
                  (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $pj) (v128.load offset=32 (local.get $row)))))
                  (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $pj) (v128.load offset=48 (local.get $row)))))
                  (local.set $row (i32.add (local.get $row) (local.get $hb)))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $lj)))
                (v128.store offset=0 (i32.add (local.get $p) (local.get $d)) (local.get $a0))
                (v128.store offset=16 (i32.add (local.get $p) (local.get $d)) (local.get $a1))
                (v128.store offset=32 (i32.add (local.get $p) (local.get $d)) (local.get $a2))
                (v128.store offset=48 (i32.add (local.get $p) (local.get $d)) (local.get $a3))
                (local.set $d (i32.add (local.get $d) (i32.const 64))))
              (else
                (block $dj1 (loop $lj1
                  (br_if $dj1 (i32.ge_u (local.get $j) (local.get $span)))
                  (local.set $a0 (f32x4.add (local.get $a0)
                    (f32x4.mul (v128.load32_splat (i32.add (local.get $scores) (i32.shl (local.get $j) (i32.const 2))))
                      (v128.load (local.get $row)))))
                  (local.set $row (i32.add (local.get $row) (local.get $hb)))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $lj1)))
                (v128.store (i32.add (local.get $p) (local.get $d)) (local.get $a0))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))))
            (br $lv)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $lt)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $lh)))
      (local.set $kvh (i32.add (local.get $kvh) (i32.const 1)))
      (br $lkv))))

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
