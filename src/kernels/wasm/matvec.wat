;; Matrix × activation kernels in WebAssembly SIMD: Q4_0/Q8_0/Q6_K (4-row interleaved) × Q8_0/Q8_K, Q4_K × Q8_K, F16, F32.
;;
;; Built twice by scripts/build-wasm.mjs (the `;;@variants relaxed` line below): `(DOT8 $a $b)` becomes
;; i16x8.relaxed_dot_i8x16_i7x16_s in matvec-relaxed, and extmul_low + extmul_high + add in plain SIMD128.
;; Both give an i16x8 of pair sums of a[i]·b[i] (a signed i8, b in 0..127); which pairs differ, but every
;; caller sums all eight lanes of one sub-block under one scale, so results are identical. The interleaved
;; Q4_0/Q4_K kernels, whose lanes must stay per row, have their own plain formulation (interleaved.mjs).
;; i32x4.relaxed_dot_i8x16_i7x16_add_s is avoided on purpose (wrong in V8 11.3's Liftoff tier).
;;
;; Layouts (byte offsets; all pointers are into this module's memory):
;;   activation Q8_0 block (40 B):  qs i8[32] | d f32 (f16-rounded, as ggml stores it) | 8·Σqs i32 (Q4_0's −8)
;;   activation Q8_K block (320 B): qs i8[256] | bsums i16[16] (per 16) | bsums i16[8] (per 32) | d f32 | pad
;;   Q4_0 group of 4 rows, per block (72 B):  d f16[4] | 4 × 16 B: rows 0..3's qs[4c..4c+3] (c = 0..3)
;;   Q8_0 group of 4 rows, per block (136 B): d f16[4] | qs[32] row0 | row1 | row2 | row3
;;   Q4_K group of 4 rows, per block (592 B): d f16[4] | dmin f16[4] | scale pairs | min pairs | 32 × 16 B
;;     nibble vectors (see interleaved.mjs); Q5_K row, per block (180 B): d | dmin | scales u8[8] | mins u8[8] | qh | qs
;;   Q6_K group of 4 rows, per block (840 B): 16 sub-blocks × 48 B | scales i8 [8][4][2] | d f16[4] (see $q6_k_g4)
;;@variants relaxed
(module
  (memory (export "memory") 16)

  ;; ---------------------------------------------------------------- f16 helpers
  ;; f16 bits → f32 (normals and subnormals exact; inf/NaN not expected in weights).
  (func $f16_to_f32 (export "f16_to_f32") (param $h i32) (result f32)
    (f32.reinterpret_i32
      (i32.or
        (i32.shl (i32.and (local.get $h) (i32.const 0x8000)) (i32.const 16))
        (i32.reinterpret_f32
          (f32.mul
            (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
            (f32.const 0x1p112))))))

  ;; f32 → f16 bits, round to nearest even (ggml's fp32_to_fp16 bit recipe).
  (func $f32_to_f16 (export "f32_to_f16") (param $f f32) (result i32)
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

  ;; Four f16 at p → f32x4.
  (func $f16x4 (param $p i32) (result v128)
    (local $v v128)
    (local.set $v (v128.load16x4_u (local.get $p)))
    (v128.or
      (f32x4.mul
        (i32x4.shl (v128.and (local.get $v) (i32x4.splat (i32.const 0x7fff))) (i32.const 13))
        (f32x4.splat (f32.const 0x1p112)))
      (i32x4.shl (v128.and (local.get $v) (i32x4.splat (i32.const 0x8000))) (i32.const 16))))

  ;; Rounds n floats to f16 precision (src → dst, may alias): the F16 matmul's activation.
  (func (export "round_f16") (param $src i32) (param $dst i32) (param $n i32)
    (local $h i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $h (call $f32_to_f16 (f32.load (local.get $src))))
        (f32.store (local.get $dst) (call $f16_to_f32 (local.get $h)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))

  ;; Sum of the four i32 lanes.
  (func $hsum_i32 (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; Sum of the four f32 lanes.
  (func $hsum_f32 (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; roundf (half away from zero) of four floats, as i32x4.
  (func $round_away (param $v v128) (result v128)
    (local $t v128)
    (local.set $t (f32x4.trunc (local.get $v)))
    (i32x4.trunc_sat_f32x4_s
      (f32x4.add
        (local.get $t)
        (v128.and
          (f32x4.ge (f32x4.abs (f32x4.sub (local.get $v) (local.get $t))) (f32x4.splat (f32.const 0.5)))
          (v128.or
            (v128.and (local.get $v) (i32x4.splat (i32.const 0x80000000)))
            (f32x4.splat (f32.const 1)))))))

  ;; The Q8_0 activation rounding: nearest-even (x86 ≠ 0) or half away from zero, as i32x4.
  (func $round_q (param $x86 i32) (param $v v128) (result v128)
    (if (result v128) (local.get $x86)
      (then (i32x4.trunc_sat_f32x4_s (f32x4.nearest (local.get $v))))
      (else (call $round_away (local.get $v)))))

  ;; Sum of the 16 signed bytes of v as i32x4 partials.
  (func $bsum (param $v v128) (result v128)
    (i32x4.extadd_pairwise_i16x8_s (i16x8.extadd_pairwise_i8x16_s (local.get $v))))

  ;; ---------------------------------------------------------------- activation quantization
  ;; Activations to Q8_0, per 32: d = amax/127 (stored as f16). x86 = 0: ggml's quantize_row_q8_0_ref,
  ;; q = roundf(x · (1/d)) (half away from zero); x86 = 1: llama.cpp's AVX build, q = nearest-even(x · 127/amax).
  (func (export "quant_q8_0") (param $src i32) (param $dst i32) (param $nb i32) (param $x86 i32)
    (local $k i32) (local $mx v128) (local $a f32) (local $d f32) (local $id v128) (local $q0 v128) (local $q1 v128)
    (block $done
      (loop $blk
        (br_if $done (i32.eqz (local.get $nb)))
        (local.set $mx (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (loop $am
          (local.set $mx
            (f32x4.max (local.get $mx) (f32x4.abs (v128.load (i32.add (local.get $src) (local.get $k))))))
          (br_if $am (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (i32.const 128))))
        (local.set $a
          (f32.max
            (f32.max (f32x4.extract_lane 0 (local.get $mx)) (f32x4.extract_lane 1 (local.get $mx)))
            (f32.max (f32x4.extract_lane 2 (local.get $mx)) (f32x4.extract_lane 3 (local.get $mx)))))
        (local.set $d (f32.div (local.get $a) (f32.const 127)))
        (local.set $id
          (f32x4.splat
            (if (result f32) (local.get $x86)
              (then (select (f32.div (f32.const 127) (local.get $a)) (f32.const 0) (f32.ne (local.get $a) (f32.const 0))))
              (else (select (f32.div (f32.const 1) (local.get $d)) (f32.const 0) (f32.ne (local.get $d) (f32.const 0)))))))
        (local.set $q0
          (i8x16.narrow_i16x8_s
            (i16x8.narrow_i32x4_s
              (call $round_q (local.get $x86) (f32x4.mul (v128.load (local.get $src)) (local.get $id)))
              (call $round_q (local.get $x86) (f32x4.mul (v128.load offset=16 (local.get $src)) (local.get $id))))
            (i16x8.narrow_i32x4_s
              (call $round_q (local.get $x86) (f32x4.mul (v128.load offset=32 (local.get $src)) (local.get $id)))
              (call $round_q (local.get $x86) (f32x4.mul (v128.load offset=48 (local.get $src)) (local.get $id))))))
        (local.set $q1
          (i8x16.narrow_i16x8_s
            (i16x8.narrow_i32x4_s
              (call $round_q (local.get $x86) (f32x4.mul (v128.load offset=64 (local.get $src)) (local.get $id)))
              (call $round_q (local.get $x86) (f32x4.mul (v128.load offset=80 (local.get $src)) (local.get $id))))
            (i16x8.narrow_i32x4_s
              (call $round_q (local.get $x86) (f32x4.mul (v128.load offset=96 (local.get $src)) (local.get $id)))
              (call $round_q (local.get $x86) (f32x4.mul (v128.load offset=112 (local.get $src)) (local.get $id))))))
        (v128.store (local.get $dst) (local.get $q0))
        (v128.store offset=16 (local.get $dst) (local.get $q1))
        (f32.store offset=32 (local.get $dst) (call $f16_to_f32 (call $f32_to_f16 (local.get $d))))
        (i32.store offset=36 (local.get $dst)
          (i32.shl (call $hsum_i32 (i32x4.add (call $bsum (local.get $q0)) (call $bsum (local.get $q1)))) (i32.const 3)))
        (local.set $src (i32.add (local.get $src) (i32.const 128)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 40)))
        (local.set $nb (i32.sub (local.get $nb) (i32.const 1)))
        (br $blk))))

  ;; ggml quantize_row_q8_K_ref: per 256: max = the value of largest |x| (first), iscale = -127/max,
  ;; q = min(127, nearest_int(iscale·x)), d = 1/iscale; bsums per 16 (and per 32 for Q4_K's mins).
  (func (export "quant_q8_k") (param $src i32) (param $dst i32) (param $nb i32)
    (local $k i32) (local $mx v128) (local $a f32) (local $m f32) (local $is v128) (local $q v128) (local $s i32)
    (block $done
      (loop $blk
        (br_if $done (i32.eqz (local.get $nb)))
        (local.set $mx (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (loop $am
          (local.set $mx
            (f32x4.max (local.get $mx) (f32x4.abs (v128.load (i32.add (local.get $src) (local.get $k))))))
          (br_if $am (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (i32.const 1024))))
        (local.set $a
          (f32.max
            (f32.max (f32x4.extract_lane 0 (local.get $mx)) (f32x4.extract_lane 1 (local.get $mx)))
            (f32.max (f32x4.extract_lane 2 (local.get $mx)) (f32x4.extract_lane 3 (local.get $mx)))))
        (if (f32.eq (local.get $a) (f32.const 0))
          (then
            (local.set $k (i32.const 0))
            (loop $z
              (v128.store (i32.add (local.get $dst) (local.get $k)) (v128.const i32x4 0 0 0 0))
              (br_if $z (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (i32.const 320)))))
          (else
            ;; first element whose |x| equals amax
            (local.set $k (i32.const 0))
            (block $found
              (loop $find
                (br_if $found (f32.eq (f32.abs (f32.load (i32.add (local.get $src) (local.get $k)))) (local.get $a)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $find)))
            (local.set $m (f32.load (i32.add (local.get $src) (local.get $k))))
            (local.set $is (f32x4.splat (f32.div (f32.const -127) (local.get $m))))
            (local.set $k (i32.const 0))
            (loop $qz
              (local.set $q
                (i8x16.narrow_i16x8_s
                  (i16x8.narrow_i32x4_s
                    (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load (local.get $src)) (local.get $is))))
                    (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=16 (local.get $src)) (local.get $is)))))
                  (i16x8.narrow_i32x4_s
                    (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=32 (local.get $src)) (local.get $is))))
                    (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=48 (local.get $src)) (local.get $is)))))))
              (v128.store (i32.add (local.get $dst) (local.get $k)) (local.get $q))
              (local.set $s (call $hsum_i32 (call $bsum (local.get $q))))
              (i32.store16 offset=256 (i32.add (local.get $dst) (i32.shr_u (local.get $k) (i32.const 3))) (local.get $s))
              (local.set $src (i32.add (local.get $src) (i32.const 64)))
              (br_if $qz (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (i32.const 256))))
            (local.set $src (i32.sub (local.get $src) (i32.const 1024)))
            ;; bsums per 32 = pairwise sums of the per-16 sums
            (v128.store offset=288 (local.get $dst)
              (i16x8.narrow_i32x4_s
                (i32x4.extadd_pairwise_i16x8_s (v128.load offset=256 (local.get $dst)))
                (i32x4.extadd_pairwise_i16x8_s (v128.load offset=272 (local.get $dst)))))
            (f32.store offset=304 (local.get $dst) (f32.div (f32.const 1) (f32x4.extract_lane 0 (local.get $is))))))
        (local.set $src (i32.add (local.get $src) (i32.const 1024)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 320)))
        (local.set $nb (i32.sub (local.get $nb) (i32.const 1)))
        (br $blk))))

  ;; ---------------------------------------------------------------- Q4_0 (4-row interleaved) × Q8_0
  ;; $q4_0_i4 (one token → f32x4 of 4 rows) and $q4_0_i4x4 (four tokens, results stored), generated by
  ;; interleaved.mjs: layout, lane scheme and the scratch-store barriers are explained there.
;;@generate q4_0

  ;; ---------------------------------------------------------------- Q4_K (4-row interleaved) × Q8_K
  ;; $q4_k_i4 and $q4_k_i4x4 (as for Q4_0), generated by interleaved.mjs (layout documented there).
;;@generate q4_k

  ;; ---------------------------------------------------------------- Q8_0 × Q8_0
  (func $q8_0_g4 (param $w i32) (param $x i32) (param $nb i32) (result v128)
    (local $acc v128) (local $xa v128) (local $xb v128) (local $xc v128) (local $xd v128) (local $w0 v128)
    (local $w1 v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $sc v128)
    (loop $blk
      (local.set $w0 (v128.load (local.get $x)))
      (local.set $xa (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $xb (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $w0 (v128.load offset=16 (local.get $x)))
      (local.set $xc (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $xd (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $w0 (v128.load offset=8 (local.get $w)))
      (local.set $w1 (v128.load offset=24 (local.get $w)))
      (local.set $s0
        (i32x4.add
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xa) (i16x8.extend_low_i8x16_s (local.get $w0)))
            (i32x4.dot_i16x8_s (local.get $xb) (i16x8.extend_high_i8x16_s (local.get $w0))))
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xc) (i16x8.extend_low_i8x16_s (local.get $w1)))
            (i32x4.dot_i16x8_s (local.get $xd) (i16x8.extend_high_i8x16_s (local.get $w1))))))
      (local.set $w0 (v128.load offset=40 (local.get $w)))
      (local.set $w1 (v128.load offset=56 (local.get $w)))
      (local.set $s1
        (i32x4.add
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xa) (i16x8.extend_low_i8x16_s (local.get $w0)))
            (i32x4.dot_i16x8_s (local.get $xb) (i16x8.extend_high_i8x16_s (local.get $w0))))
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xc) (i16x8.extend_low_i8x16_s (local.get $w1)))
            (i32x4.dot_i16x8_s (local.get $xd) (i16x8.extend_high_i8x16_s (local.get $w1))))))
      (local.set $w0 (v128.load offset=72 (local.get $w)))
      (local.set $w1 (v128.load offset=88 (local.get $w)))
      (local.set $s2
        (i32x4.add
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xa) (i16x8.extend_low_i8x16_s (local.get $w0)))
            (i32x4.dot_i16x8_s (local.get $xb) (i16x8.extend_high_i8x16_s (local.get $w0))))
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xc) (i16x8.extend_low_i8x16_s (local.get $w1)))
            (i32x4.dot_i16x8_s (local.get $xd) (i16x8.extend_high_i8x16_s (local.get $w1))))))
      (local.set $w0 (v128.load offset=104 (local.get $w)))
      (local.set $w1 (v128.load offset=120 (local.get $w)))
      (local.set $s3
        (i32x4.add
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xa) (i16x8.extend_low_i8x16_s (local.get $w0)))
            (i32x4.dot_i16x8_s (local.get $xb) (i16x8.extend_high_i8x16_s (local.get $w0))))
          (i32x4.add
            (i32x4.dot_i16x8_s (local.get $xc) (i16x8.extend_low_i8x16_s (local.get $w1)))
            (i32x4.dot_i16x8_s (local.get $xd) (i16x8.extend_high_i8x16_s (local.get $w1))))))
      (local.set $s0 (i32x4.add
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (local.tee $s0 (i32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
              (local.tee $s2 (i32x4.add
                (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
                (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3)))))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
      (local.set $sc (v128.load16x4_u (local.get $w)))
      (local.set $sc
        (v128.or
          (f32x4.mul
            (i32x4.shl (v128.and (local.get $sc) (i32x4.splat (i32.const 0x7fff))) (i32.const 13))
            (f32x4.splat (f32.const 0x1p112)))
          (i32x4.shl (v128.and (local.get $sc) (i32x4.splat (i32.const 0x8000))) (i32.const 16))))
      (local.set $acc
        (f32x4.add
          (local.get $acc)
          (f32x4.mul
            (f32x4.convert_i32x4_s (local.get $s0))
            (f32x4.mul (local.get $sc) (f32x4.splat (f32.load offset=32 (local.get $x)))))))
      (local.set $w (i32.add (local.get $w) (i32.const 136)))
      (local.set $x (i32.add (local.get $x) (i32.const 40)))
      (br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))
    (local.get $acc))

  ;; Two activation rows (x, y) against one Q8_0 group of 4 rows (prefill); partial sums via scratch slots.
  (func $q8_0_g4x2 (param $w i32) (param $x i32) (param $y i32) (param $nb i32) (param $oa i32) (param $ob i32)
    (local $fa v128) (local $fb v128) (local $w0 v128) (local $w1 v128) (local $sc v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (loop $blk
      (local.set $w0 (v128.load (local.get $x)))
      (local.set $a0 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $a1 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $w0 (v128.load offset=16 (local.get $x)))
      (local.set $a2 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $a3 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $w0 (v128.load (local.get $y)))
      (local.set $b0 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $b1 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $w0 (v128.load offset=16 (local.get $y)))
      (local.set $b2 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $b3 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $w0 (v128.load offset=8 (local.get $w)))
      (local.set $w1 (v128.load offset=24 (local.get $w)))
      (local.set $l0 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $l1 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $l2 (i16x8.extend_low_i8x16_s (local.get $w1)))
      (local.set $l3 (i16x8.extend_high_i8x16_s (local.get $w1)))
      (v128.store offset=0 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $a1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $a3) (local.get $l3)))))
      (v128.store offset=64 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $b1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $b3) (local.get $l3)))))
      (local.set $w0 (v128.load offset=40 (local.get $w)))
      (local.set $w1 (v128.load offset=56 (local.get $w)))
      (local.set $l0 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $l1 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $l2 (i16x8.extend_low_i8x16_s (local.get $w1)))
      (local.set $l3 (i16x8.extend_high_i8x16_s (local.get $w1)))
      (v128.store offset=16 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $a1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $a3) (local.get $l3)))))
      (v128.store offset=80 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $b1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $b3) (local.get $l3)))))
      (local.set $w0 (v128.load offset=72 (local.get $w)))
      (local.set $w1 (v128.load offset=88 (local.get $w)))
      (local.set $l0 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $l1 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $l2 (i16x8.extend_low_i8x16_s (local.get $w1)))
      (local.set $l3 (i16x8.extend_high_i8x16_s (local.get $w1)))
      (v128.store offset=32 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $a1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $a3) (local.get $l3)))))
      (v128.store offset=96 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $b1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $b3) (local.get $l3)))))
      (local.set $w0 (v128.load offset=104 (local.get $w)))
      (local.set $w1 (v128.load offset=120 (local.get $w)))
      (local.set $l0 (i16x8.extend_low_i8x16_s (local.get $w0)))
      (local.set $l1 (i16x8.extend_high_i8x16_s (local.get $w0)))
      (local.set $l2 (i16x8.extend_low_i8x16_s (local.get $w1)))
      (local.set $l3 (i16x8.extend_high_i8x16_s (local.get $w1)))
      (v128.store offset=48 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $a1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $a2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $a3) (local.get $l3)))))
      (v128.store offset=112 (i32.const 0)
        (i32x4.add
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b0) (local.get $l0)) (i32x4.dot_i16x8_s (local.get $b1) (local.get $l1)))
          (i32x4.add (i32x4.dot_i16x8_s (local.get $b2) (local.get $l2)) (i32x4.dot_i16x8_s (local.get $b3) (local.get $l3)))))
      (local.set $sc (v128.load16x4_u (local.get $w)))
      (local.set $sc
        (v128.or
          (f32x4.mul
            (i32x4.shl (v128.and (local.get $sc) (i32x4.splat (i32.const 0x7fff))) (i32.const 13))
            (f32x4.splat (f32.const 0x1p112)))
          (i32x4.shl (v128.and (local.get $sc) (i32x4.splat (i32.const 0x8000))) (i32.const 16))))
      (local.set $s0 (v128.load offset=0 (i32.const 0)))
      (local.set $s1 (v128.load offset=16 (i32.const 0)))
      (local.set $s2 (v128.load offset=32 (i32.const 0)))
      (local.set $s3 (v128.load offset=48 (i32.const 0)))
      (local.set $s0
        (i32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (local.tee $s0 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
            (local.tee $s2 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3)))))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
      (local.set $fa
        (f32x4.add (local.get $fa)
          (f32x4.mul
            (f32x4.convert_i32x4_s (local.get $s0))
            (f32x4.mul (local.get $sc) (f32x4.splat (f32.load offset=32 (local.get $x)))))))
      (local.set $s0 (v128.load offset=64 (i32.const 0)))
      (local.set $s1 (v128.load offset=80 (i32.const 0)))
      (local.set $s2 (v128.load offset=96 (i32.const 0)))
      (local.set $s3 (v128.load offset=112 (i32.const 0)))
      (local.set $s0
        (i32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (local.tee $s0 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
            (local.tee $s2 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3)))))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
      (local.set $fb
        (f32x4.add (local.get $fb)
          (f32x4.mul
            (f32x4.convert_i32x4_s (local.get $s0))
            (f32x4.mul (local.get $sc) (f32x4.splat (f32.load offset=32 (local.get $y)))))))
      (local.set $w (i32.add (local.get $w) (i32.const 136)))
      (local.set $x (i32.add (local.get $x) (i32.const 40)))
      (local.set $y (i32.add (local.get $y) (i32.const 40)))
      (br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))
    (v128.store (local.get $oa) (local.get $fa))
    (v128.store (local.get $ob) (local.get $fb)))

  ;; ---------------------------------------------------------------- Q5_K × Q8_K
  ;; Like Q4_K plus a fifth bit per weight from qh (bit 2j of qh[l] for sub-block 2j, 2j+1 for 2j+1).
  (func $q5_k_row (param $w i32) (param $x i32) (param $nb i32) (result f32)
    (local $scv v128) (local $facc v128) (local $acc v128) (local $m v128) (local $h0 v128) (local $h1 v128) (local $b16 v128)
    (local $wa v128) (local $wb v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $la v128) (local $lb v128) (local $ha v128) (local $hb v128) (local $dx f32)
    (local.set $m (i8x16.splat (i32.const 15)))
    (local.set $b16 (i8x16.splat (i32.const 16)))
    (loop $blk
      ;; the 8 sub-block scales as i16 lanes, broadcast per use by a shuffle
      (local.set $scv (v128.load8x8_u offset=4 (local.get $w)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $h0 (v128.load offset=20 (local.get $w)))
      (local.set $h1 (v128.load offset=36 (local.get $w)))
      (local.set $wa (v128.load offset=52 (local.get $w)))
      (local.set $wb (v128.load offset=68 (local.get $w)))
      (local.set $la (v128.or (v128.and (local.get $wa) (local.get $m))         (v128.and (i16x8.shl (local.get $h0) (i32.const 4)) (local.get $b16))))
      (local.set $x0 (v128.load offset=0 (local.get $x)))
      (local.set $lb (v128.or (v128.and (local.get $wb) (local.get $m))         (v128.and (i16x8.shl (local.get $h1) (i32.const 4)) (local.get $b16))))
      (local.set $x1 (v128.load offset=16 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 0 1 0 1 0 1 0 1 0 1 0 1 0 1 0 1 (local.get $scv) (local.get $scv)))))
      (local.set $la (v128.or (v128.and (i16x8.shr_u (local.get $wa) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shl (local.get $h0) (i32.const 3)) (local.get $b16))))
      (local.set $x0 (v128.load offset=32 (local.get $x)))
      (local.set $lb (v128.or (v128.and (i16x8.shr_u (local.get $wb) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shl (local.get $h1) (i32.const 3)) (local.get $b16))))
      (local.set $x1 (v128.load offset=48 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 2 3 2 3 2 3 2 3 2 3 2 3 2 3 2 3 (local.get $scv) (local.get $scv)))))
      (local.set $wa (v128.load offset=84 (local.get $w)))
      (local.set $wb (v128.load offset=100 (local.get $w)))
      (local.set $la (v128.or (v128.and (local.get $wa) (local.get $m))         (v128.and (i16x8.shl (local.get $h0) (i32.const 2)) (local.get $b16))))
      (local.set $x0 (v128.load offset=64 (local.get $x)))
      (local.set $lb (v128.or (v128.and (local.get $wb) (local.get $m))         (v128.and (i16x8.shl (local.get $h1) (i32.const 2)) (local.get $b16))))
      (local.set $x1 (v128.load offset=80 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 4 5 4 5 4 5 4 5 4 5 4 5 4 5 4 5 (local.get $scv) (local.get $scv)))))
      (local.set $la (v128.or (v128.and (i16x8.shr_u (local.get $wa) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shl (local.get $h0) (i32.const 1)) (local.get $b16))))
      (local.set $x0 (v128.load offset=96 (local.get $x)))
      (local.set $lb (v128.or (v128.and (i16x8.shr_u (local.get $wb) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shl (local.get $h1) (i32.const 1)) (local.get $b16))))
      (local.set $x1 (v128.load offset=112 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 6 7 6 7 6 7 6 7 6 7 6 7 6 7 6 7 (local.get $scv) (local.get $scv)))))
      (local.set $wa (v128.load offset=116 (local.get $w)))
      (local.set $wb (v128.load offset=132 (local.get $w)))
      (local.set $la (v128.or (v128.and (local.get $wa) (local.get $m))         (v128.and (local.get $h0) (local.get $b16))))
      (local.set $x0 (v128.load offset=128 (local.get $x)))
      (local.set $lb (v128.or (v128.and (local.get $wb) (local.get $m))         (v128.and (local.get $h1) (local.get $b16))))
      (local.set $x1 (v128.load offset=144 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 8 9 8 9 8 9 8 9 8 9 8 9 8 9 8 9 (local.get $scv) (local.get $scv)))))
      (local.set $la (v128.or (v128.and (i16x8.shr_u (local.get $wa) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shr_u (local.get $h0) (i32.const 1)) (local.get $b16))))
      (local.set $x0 (v128.load offset=160 (local.get $x)))
      (local.set $lb (v128.or (v128.and (i16x8.shr_u (local.get $wb) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shr_u (local.get $h1) (i32.const 1)) (local.get $b16))))
      (local.set $x1 (v128.load offset=176 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 10 11 10 11 10 11 10 11 10 11 10 11 10 11 10 11 (local.get $scv) (local.get $scv)))))
      (local.set $wa (v128.load offset=148 (local.get $w)))
      (local.set $wb (v128.load offset=164 (local.get $w)))
      (local.set $la (v128.or (v128.and (local.get $wa) (local.get $m))         (v128.and (i16x8.shr_u (local.get $h0) (i32.const 2)) (local.get $b16))))
      (local.set $x0 (v128.load offset=192 (local.get $x)))
      (local.set $lb (v128.or (v128.and (local.get $wb) (local.get $m))         (v128.and (i16x8.shr_u (local.get $h1) (i32.const 2)) (local.get $b16))))
      (local.set $x1 (v128.load offset=208 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 12 13 12 13 12 13 12 13 12 13 12 13 12 13 12 13 (local.get $scv) (local.get $scv)))))
      (local.set $la (v128.or (v128.and (i16x8.shr_u (local.get $wa) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shr_u (local.get $h0) (i32.const 3)) (local.get $b16))))
      (local.set $x0 (v128.load offset=224 (local.get $x)))
      (local.set $lb (v128.or (v128.and (i16x8.shr_u (local.get $wb) (i32.const 4)) (local.get $m))         (v128.and (i16x8.shr_u (local.get $h1) (i32.const 3)) (local.get $b16))))
      (local.set $x1 (v128.load offset=240 (local.get $x)))
      (local.set $acc (i32x4.add (local.get $acc) (i32x4.dot_i16x8_s (i16x8.add (DOT8 $x0 $la) (DOT8 $x1 $lb)) (i8x16.shuffle 14 15 14 15 14 15 14 15 14 15 14 15 14 15 14 15 (local.get $scv) (local.get $scv)))))
      (local.set $dx (f32.load offset=304 (local.get $x)))
      (local.set $facc
        (f32x4.sub
          (f32x4.add
            (local.get $facc)
            (f32x4.mul
              (f32x4.convert_i32x4_s (local.get $acc))
              (f32x4.splat (f32.mul (local.get $dx) (call $f16_to_f32 (i32.load16_u (local.get $w)))))))
          (f32x4.mul
            (f32x4.convert_i32x4_s
              (i32x4.dot_i16x8_s (v128.load8x8_u offset=12 (local.get $w)) (v128.load offset=288 (local.get $x))))
            (f32x4.splat (f32.mul (local.get $dx) (call $f16_to_f32 (i32.load16_u offset=2 (local.get $w))))))))
      (local.set $w (i32.add (local.get $w) (i32.const 180)))
      (local.set $x (i32.add (local.get $x) (i32.const 320)))
      (br_if $blk (local.tee $nb (i32.sub (local.get $nb) (i32.const 1)))))
    (call $hsum_f32 (local.get $facc)))

  ;; ---------------------------------------------------------------- Q6_K (4-row interleaved) × Q8_K
  ;; $q6_k_g4 (one token) and $q6_k_g4x2 (two), generated by interleaved.mjs.
;;@generate q6_k
  ;; ---------------------------------------------------------------- F32 and F16 rows
  (func $f32_row (param $w i32) (param $x i32) (param $n i32) (result f32)
    (local $a0 v128) (local $a1 v128) (local $s f32)
    (block $done8
      (loop $l8
        (br_if $done8 (i32.lt_u (local.get $n) (i32.const 8)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $w)) (v128.load (local.get $x)))))
        (local.set $a1
          (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $w)) (v128.load offset=16 (local.get $x)))))
        (local.set $w (i32.add (local.get $w) (i32.const 32)))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $n (i32.sub (local.get $n) (i32.const 8)))
        (br $l8)))
    (local.set $s (call $hsum_f32 (f32x4.add (local.get $a0) (local.get $a1))))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $w)) (f32.load (local.get $x)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s))

  (func $f16_row (param $w i32) (param $x i32) (param $n i32) (result f32)
    (local $a0 v128) (local $a1 v128) (local $v v128) (local $h v128) (local $s f32)
    (local $mm v128) (local $ms v128) (local $sc v128)
    (local.set $mm (i32x4.splat (i32.const 0x7fff)))
    (local.set $ms (i32x4.splat (i32.const 0x8000)))
    (local.set $sc (f32x4.splat (f32.const 0x1p112)))
    (block $done8
      (loop $l8
        (br_if $done8 (i32.lt_u (local.get $n) (i32.const 8)))
        (local.set $v (v128.load (local.get $w)))
        (local.set $h (i32x4.extend_low_i16x8_u (local.get $v)))
        (local.set $a0
          (f32x4.add (local.get $a0)
            (f32x4.mul
              (v128.or
                (f32x4.mul (i32x4.shl (v128.and (local.get $h) (local.get $mm)) (i32.const 13)) (local.get $sc))
                (i32x4.shl (v128.and (local.get $h) (local.get $ms)) (i32.const 16)))
              (v128.load (local.get $x)))))
        (local.set $h (i32x4.extend_high_i16x8_u (local.get $v)))
        (local.set $a1
          (f32x4.add (local.get $a1)
            (f32x4.mul
              (v128.or
                (f32x4.mul (i32x4.shl (v128.and (local.get $h) (local.get $mm)) (i32.const 13)) (local.get $sc))
                (i32x4.shl (v128.and (local.get $h) (local.get $ms)) (i32.const 16)))
              (v128.load offset=16 (local.get $x)))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 32)))
        (local.set $n (i32.sub (local.get $n) (i32.const 8)))
        (br $l8)))
    (local.set $s (call $hsum_f32 (f32x4.add (local.get $a0) (local.get $a1))))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s
          (f32.add (local.get $s) (f32.mul (call $f16_to_f32 (i32.load16_u (local.get $w))) (f32.load (local.get $x)))))
        (local.set $w (i32.add (local.get $w) (i32.const 2)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $s))

;; ---------------------------------------------------------------- repacking (load time)
  ;; Interleaves groups of 4 GGUF rows of Q8_0 (bs = 34) blocks: for `ng` groups of rows
  ;; at src (row stride nb·bs), writes per block the 4 f16 scales, then the 4 rows' quants.
  (func (export "repack_g4") (param $src i32) (param $dst i32) (param $ng i32) (param $nb i32) (param $bs i32)
    (local $g i32) (local $b i32) (local $r i32) (local $rs i32) (local $s i32) (local $q i32)
    (local.set $rs (i32.mul (local.get $nb) (local.get $bs)))
    (local.set $q (i32.sub (local.get $bs) (i32.const 2)))
    (block $dg (loop $lg
      (br_if $dg (i32.ge_u (local.get $g) (local.get $ng)))
      (local.set $b (i32.const 0))
      (block $db (loop $lb
        (br_if $db (i32.ge_u (local.get $b) (local.get $nb)))
        (local.set $r (i32.const 0))
        (loop $lr
          (local.set $s
            (i32.add (local.get $src)
              (i32.add (i32.mul (local.get $r) (local.get $rs)) (i32.mul (local.get $b) (local.get $bs)))))
          (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 1))) (i32.load16_u (local.get $s)))
          (v128.store offset=8
            (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $q)))
            (v128.load offset=2 (local.get $s)))
          (if (i32.eq (local.get $q) (i32.const 32))
            (then
              (v128.store offset=24
                (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $q)))
                (v128.load offset=18 (local.get $s)))))
          (br_if $lr (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $bs) (i32.const 2))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $lb)))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 2))))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $lg))))

  ;; Q4_K (144 B, qhb = 0) and Q5_K (176 B, qhb = 32) blocks → 148 / 180 B: d, dmin, then the eight 6-bit
  ;; scales and mins unpacked to bytes, then qh (Q5_K) and qs, unchanged.
  (func (export "repack_k4") (param $src i32) (param $dst i32) (param $nblocks i32) (param $qhb i32)
    (local $j i32) (local $q i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $nblocks)))
      (i32.store (local.get $dst) (i32.load (local.get $src)))
      (local.set $q (i32.add (local.get $src) (i32.const 4)))
      (local.set $j (i32.const 0))
      (loop $lj
        (if (i32.lt_u (local.get $j) (i32.const 4))
          (then
            (i32.store8 offset=4 (i32.add (local.get $dst) (local.get $j))
              (i32.and (i32.load8_u (i32.add (local.get $q) (local.get $j))) (i32.const 63)))
            (i32.store8 offset=12 (i32.add (local.get $dst) (local.get $j))
              (i32.and (i32.load8_u offset=4 (i32.add (local.get $q) (local.get $j))) (i32.const 63))))
          (else
            (i32.store8 offset=4 (i32.add (local.get $dst) (local.get $j))
              (i32.or
                (i32.and (i32.load8_u offset=4 (i32.add (local.get $q) (local.get $j))) (i32.const 15))
                (i32.shl (i32.shr_u (i32.load8_u (i32.sub (i32.add (local.get $q) (local.get $j)) (i32.const 4))) (i32.const 6)) (i32.const 4))))
            (i32.store8 offset=12 (i32.add (local.get $dst) (local.get $j))
              (i32.or
                (i32.shr_u (i32.load8_u offset=4 (i32.add (local.get $q) (local.get $j))) (i32.const 4))
                (i32.shl (i32.shr_u (i32.load8_u (i32.add (local.get $q) (local.get $j))) (i32.const 6)) (i32.const 4))))))
        (br_if $lj (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 8))))
      (local.set $j (i32.const 0))
      (loop $lc
        (v128.store offset=20 (i32.add (local.get $dst) (local.get $j)) (v128.load offset=16 (i32.add (local.get $src) (local.get $j))))
        (br_if $lc (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.add (local.get $qhb) (i32.const 128)))))
      (local.set $src (i32.add (local.get $src) (i32.add (local.get $qhb) (i32.const 144))))
      (local.set $dst (i32.add (local.get $dst) (i32.add (local.get $qhb) (i32.const 148))))
      (local.set $nblocks (i32.sub (local.get $nblocks) (i32.const 1)))
      (br $l))))

  ;; The 16 six-bit values (0..63) of sub-block s (weights 16s .. 16s + 15) of a ggml block_q6_K at p.
  (func $q6_k_sub (param $p i32) (param $s i32) (result v128)
    (local $h i32) (local $g i32) (local $l i32)
    (local.set $h (i32.shr_u (local.get $s) (i32.const 3)))
    (local.set $g (i32.shr_u (i32.and (local.get $s) (i32.const 7)) (i32.const 1)))
    (local.set $l (i32.shl (i32.and (local.get $s) (i32.const 1)) (i32.const 4)))
    (v128.or
      (v128.and
        (i16x8.shr_u
          (v128.load
            (i32.add (local.get $p)
              (i32.add (i32.add (i32.shl (local.get $h) (i32.const 6)) (local.get $l))
                (i32.shl (i32.and (local.get $g) (i32.const 1)) (i32.const 5)))))
          (i32.shl (i32.shr_u (local.get $g) (i32.const 1)) (i32.const 2)))
        (i8x16.splat (i32.const 0x0f)))
      (i16x8.shl
        (v128.and
          (i16x8.shr_u
            (v128.load offset=128
              (i32.add (local.get $p) (i32.add (i32.shl (local.get $h) (i32.const 5)) (local.get $l))))
            (i32.shl (local.get $g) (i32.const 1)))
          (i8x16.splat (i32.const 3)))
        (i32.const 4))))

  ;; Q6_K rows → groups of 4 interleaved rows (840 B per group block; layout documented with its kernels in interleaved.mjs): for `ng` groups of
  ;; 4 rows at src (row stride nb·210), writes each block's 16 sub-blocks (4×4 transposes of the decoded
  ;; values, packed 4 vectors into 3), the scales as [pair][row][2] and the 4 d.
  (func (export "repack_q6_k_g4") (param $src i32) (param $dst i32) (param $ng i32) (param $nb i32)
    (local $rs i32) (local $b i32) (local $p i32) (local $s i32) (local $r i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rs (i32.mul (local.get $nb) (i32.const 210)))
    (block $dg (loop $lg
      (br_if $dg (i32.eqz (local.get $ng)))
      (local.set $b (i32.const 0))
      (block $db (loop $lb
        (br_if $db (i32.ge_u (local.get $b) (local.get $nb)))
        (local.set $p (i32.add (local.get $src) (i32.mul (local.get $b) (i32.const 210))))
        (local.set $s (i32.const 0))
        (loop $ls
          (local.set $r0 (call $q6_k_sub (local.get $p) (local.get $s)))
          (local.set $r1 (call $q6_k_sub (i32.add (local.get $p) (local.get $rs)) (local.get $s)))
          (local.set $r2 (call $q6_k_sub (i32.add (local.get $p) (i32.shl (local.get $rs) (i32.const 1))) (local.get $s)))
          (local.set $r3 (call $q6_k_sub (i32.add (local.get $p) (i32.mul (local.get $rs) (i32.const 3))) (local.get $s)))
          (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
          (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
          (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
          (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
          ;; V0..V3 = chunks 0..3 of the sub-block, rows 0..3 each
          (local.set $r0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
          (local.set $r1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
          (local.set $r2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
          (local.set $r3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
          (v128.store (local.get $dst)
            (v128.or (local.get $r0) (i16x8.shl (v128.and (local.get $r3) (i8x16.splat (i32.const 0x03))) (i32.const 6))))
          (v128.store offset=16 (local.get $dst)
            (v128.or (local.get $r1) (i16x8.shl (v128.and (local.get $r3) (i8x16.splat (i32.const 0x0c))) (i32.const 4))))
          (v128.store offset=32 (local.get $dst)
            (v128.or (local.get $r2) (i16x8.shl (v128.and (local.get $r3) (i8x16.splat (i32.const 0x30))) (i32.const 2))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 48)))
          (br_if $ls (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 1))) (i32.const 16))))
        ;; dst is now at the scales: [pair][row][2], then d[row]
        (local.set $r (i32.const 0))
        (loop $lr
          (local.set $s (i32.const 0))
          (loop $lsc
            (i32.store16
              (i32.add (local.get $dst) (i32.add (i32.shl (local.get $s) (i32.const 3)) (i32.shl (local.get $r) (i32.const 1))))
              (i32.load16_u offset=192 (i32.add (local.get $p) (i32.shl (local.get $s) (i32.const 1)))))
            (br_if $lsc (i32.lt_u (local.tee $s (i32.add (local.get $s) (i32.const 1))) (i32.const 8))))
          (i32.store16 offset=64 (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 1)))
            (i32.load16_u offset=208 (local.get $p)))
          (local.set $p (i32.add (local.get $p) (local.get $rs)))
          (br_if $lr (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 72)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $lb)))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 2))))
      (local.set $ng (i32.sub (local.get $ng) (i32.const 1)))
      (br $lg))))

  ;; ---------------------------------------------------------------- matrix drivers
  ;; out[t·ldo + r] for t < n, r < rows. Grouped types take ngroups (rows = 4·ngroups, padded) and nb
  ;; blocks per row. Tokens are walked in tiles of 16: inside a tile each row (group) is read from memory
  ;; once and stays in L1 for the tile's tokens, whose activations (≤ 16 rows) stay in L2.

  (func (export "mm_q8_0") (param $w i32) (param $ng i32) (param $nb i32) (param $x i32) (param $n i32)
    (param $out i32) (param $ldo i32)
    (local $t0 i32) (local $t1 i32) (local $t i32) (local $g i32) (local $wg i32) (local $gs i32) (local $xs i32) (local $oa i32)
    (local.set $gs (i32.mul (local.get $nb) (i32.const 136)))
    (local.set $xs (i32.mul (local.get $nb) (i32.const 40)))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (local.get $n) (i32.add (local.get $t0) (i32.const 16))
          (i32.lt_u (local.get $n) (i32.add (local.get $t0) (i32.const 16)))))
        (local.set $g (i32.const 0))
        (local.set $wg (local.get $w))
        (block $gd
          (loop $groups
            (br_if $gd (i32.ge_u (local.get $g) (local.get $ng)))
            (local.set $t (local.get $t0))
            (loop $toks
              (local.set $oa
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $t) (local.get $ldo)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 2))))
              (if (i32.lt_u (i32.add (local.get $t) (i32.const 1)) (local.get $t1))
                (then
                  (call $q8_0_g4x2 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs)))
                    (i32.add (local.get $x) (i32.mul (i32.add (local.get $t) (i32.const 1)) (local.get $xs)))
                    (local.get $nb) (local.get $oa) (i32.add (local.get $oa) (i32.shl (local.get $ldo) (i32.const 2))))
                  (local.set $t (i32.add (local.get $t) (i32.const 2))))
                (else
                  (v128.store (local.get $oa)
                    (call $q8_0_g4 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs))) (local.get $nb)))
                  (local.set $t (i32.add (local.get $t) (i32.const 1)))))
              (br_if $toks (i32.lt_u (local.get $t) (local.get $t1))))
            (local.set $wg (i32.add (local.get $wg) (local.get $gs)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $groups)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))

  ;; Q5_K rows (180 B per block after repacking) in tiles of 16 tokens, one token per pass.
  (func (export "mm_q5_k") (param $w i32) (param $rows i32) (param $nb i32) (param $x i32) (param $n i32)
    (param $out i32) (param $ldo i32)
    (local $r i32) (local $t i32) (local $t0 i32) (local $t1 i32) (local $wr i32) (local $rs i32) (local $xs i32)
    (local.set $rs (i32.mul (local.get $nb) (i32.const 180)))
    (local.set $xs (i32.mul (local.get $nb) (i32.const 320)))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (local.get $n) (i32.add (local.get $t0) (i32.const 16))
          (i32.lt_u (local.get $n) (i32.add (local.get $t0) (i32.const 16)))))
        (local.set $r (i32.const 0))
        (local.set $wr (local.get $w))
        (block $rd
          (loop $rl
            (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $t (local.get $t0))
            (loop $tl
              (f32.store
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $t) (local.get $ldo)) (local.get $r)) (i32.const 2)))
                (call $q5_k_row (local.get $wr) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs))) (local.get $nb)))
              (br_if $tl (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $t1))))
            (local.set $wr (i32.add (local.get $wr) (local.get $rs)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rl)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))

  ;; Q6_K groups of 4 interleaved rows (840 B per group block) in tiles of 16 tokens, two tokens per pass.
  (func (export "mm_q6_k_g4") (param $w i32) (param $ng i32) (param $nb i32) (param $x i32) (param $n i32)
    (param $out i32) (param $ldo i32)
    (local $t0 i32) (local $t1 i32) (local $t i32) (local $g i32) (local $wg i32) (local $gs i32) (local $xs i32) (local $oa i32)
    (local.set $gs (i32.mul (local.get $nb) (i32.const 840)))
    (local.set $xs (i32.mul (local.get $nb) (i32.const 320)))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (local.get $n) (i32.add (local.get $t0) (i32.const 16))
          (i32.lt_u (local.get $n) (i32.add (local.get $t0) (i32.const 16)))))
        (local.set $g (i32.const 0))
        (local.set $wg (local.get $w))
        (block $gd
          (loop $groups
            (br_if $gd (i32.ge_u (local.get $g) (local.get $ng)))
            (local.set $t (local.get $t0))
            (loop $toks
              (local.set $oa
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $t) (local.get $ldo)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 2))))
              (if (i32.lt_u (i32.add (local.get $t) (i32.const 1)) (local.get $t1))
                (then
                  (call $q6_k_g4x2 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs)))
                    (i32.add (local.get $x) (i32.mul (i32.add (local.get $t) (i32.const 1)) (local.get $xs)))
                    (local.get $nb) (local.get $oa) (i32.add (local.get $oa) (i32.shl (local.get $ldo) (i32.const 2))))
                  (local.set $t (i32.add (local.get $t) (i32.const 2))))
                (else
                  (v128.store (local.get $oa)
                    (call $q6_k_g4 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs))) (local.get $nb)))
                  (local.set $t (i32.add (local.get $t) (i32.const 1)))))
              (br_if $toks (i32.lt_u (local.get $t) (local.get $t1))))
            (local.set $wg (i32.add (local.get $wg) (local.get $gs)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $groups)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))

  ;; Float rows, one row and token at a time: kind 2 = F16 (row stride 2·cols, activations rounded to f16),
  ;; 3 = F32 (4·cols); nb = cols. Tokens in tiles of 16 (activations stay in L2 while rows stream).
  (func (export "mm_rows") (param $kind i32) (param $w i32) (param $rows i32) (param $nb i32) (param $x i32)
    (param $n i32) (param $out i32) (param $ldo i32)
    (local $r i32) (local $t i32) (local $rs i32) (local $xs i32) (local $v f32) (local $t0 i32) (local $t1 i32)
    (local $wr i32) (local $xt i32)
    (local.set $rs (i32.shl (local.get $nb) (select (i32.const 1) (i32.const 2) (i32.eq (local.get $kind) (i32.const 2)))))
    (local.set $xs (i32.shl (local.get $nb) (i32.const 2)))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (local.get $n) (i32.add (local.get $t0) (i32.const 16))
          (i32.lt_u (local.get $n) (i32.add (local.get $t0) (i32.const 16)))))
        (local.set $r (i32.const 0))
        (local.set $wr (local.get $w))
        (block $rd
          (loop $rl
            (br_if $rd (i32.ge_u (local.get $r) (local.get $rows)))
            (local.set $t (local.get $t0))
            (local.set $xt (i32.add (local.get $x) (i32.mul (local.get $t0) (local.get $xs))))
            (loop $tl
              (local.set $v
                (if (result f32) (i32.eq (local.get $kind) (i32.const 2))
                  (then (call $f16_row (local.get $wr) (local.get $xt) (local.get $nb)))
                  (else (call $f32_row (local.get $wr) (local.get $xt) (local.get $nb)))))
              (f32.store
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $t) (local.get $ldo)) (local.get $r)) (i32.const 2)))
                (local.get $v))
              (local.set $xt (i32.add (local.get $xt) (local.get $xs)))
              (br_if $tl (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $t1))))
            (local.set $wr (i32.add (local.get $wr) (local.get $rs)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rl)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))

  ;; Q4_0 groups of 4 rows → the interleaved layout of `$q4_0_i4` (72 B per group and block): the 4 f16
  ;; scales, then vector c (c < 4) = the four rows' qs[4c..4c+3]. `ng` groups at src (row stride nb·18).
  (func (export "repack_q4_0") (param $src i32) (param $dst i32) (param $ng i32) (param $nb i32)
    (local $b i32) (local $r i32) (local $rs i32) (local $s i32) (local $d i32)
    (local.set $rs (i32.mul (local.get $nb) (i32.const 18)))
    (block $dg (loop $lg
      (br_if $dg (i32.eqz (local.get $ng)))
      (local.set $b (i32.const 0))
      (block $db (loop $lb
        (br_if $db (i32.ge_u (local.get $b) (local.get $nb)))
        (local.set $r (i32.const 0))
        (loop $lr
          (local.set $s
            (i32.add (local.get $src)
              (i32.add (i32.mul (local.get $r) (local.get $rs)) (i32.mul (local.get $b) (i32.const 18)))))
          (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))))
          (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 1))) (i32.load16_u (local.get $s)))
          (i32.store offset=8 (local.get $d) (i32.load offset=2 (local.get $s)))
          (i32.store offset=24 (local.get $d) (i32.load offset=6 (local.get $s)))
          (i32.store offset=40 (local.get $d) (i32.load offset=10 (local.get $s)))
          (i32.store offset=56 (local.get $d) (i32.load offset=14 (local.get $s)))
          (br_if $lr (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 72)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $lb)))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 2))))
      (local.set $ng (i32.sub (local.get $ng) (i32.const 1)))
      (br $lg))))

  ;; Q4_0 in the interleaved layout: tokens in tiles of 16 (activations stay in L2), four tokens per pass
  ;; over a group (its 72 B blocks stay in L1), the last n mod 4 one at a time.
  (func (export "mm_q4_0") (param $w i32) (param $ng i32) (param $nb i32) (param $x i32) (param $n i32)
    (param $out i32) (param $ldo i32)
    (local $t0 i32) (local $t1 i32) (local $t i32) (local $g i32) (local $wg i32) (local $gs i32) (local $xs i32) (local $oa i32)
    (local.set $gs (i32.mul (local.get $nb) (i32.const 72)))
    (local.set $xs (i32.mul (local.get $nb) (i32.const 40)))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (local.get $n) (i32.add (local.get $t0) (i32.const 16))
          (i32.lt_u (local.get $n) (i32.add (local.get $t0) (i32.const 16)))))
        (local.set $g (i32.const 0))
        (local.set $wg (local.get $w))
        (block $gd
          (loop $groups
            (br_if $gd (i32.ge_u (local.get $g) (local.get $ng)))
            (local.set $t (local.get $t0))
            (loop $toks
              (local.set $oa
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $t) (local.get $ldo)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 2))))
              (if (i32.le_u (i32.add (local.get $t) (i32.const 4)) (local.get $t1))
                (then
                  (call $q4_0_i4x4 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs)))
                    (local.get $xs) (local.get $nb) (local.get $oa) (i32.shl (local.get $ldo) (i32.const 2)))
                  (local.set $t (i32.add (local.get $t) (i32.const 4))))
                (else
                  (v128.store (local.get $oa)
                    (call $q4_0_i4 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs))) (local.get $nb)))
                  (local.set $t (i32.add (local.get $t) (i32.const 1)))))
              (br_if $toks (i32.lt_u (local.get $t) (local.get $t1))))
            (local.set $wg (i32.add (local.get $wg) (local.get $gs)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $groups)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))

  ;; Q4_K rows already in the 148 B form of `repack_k4` → the interleaved layout of `$q4_k_i4` (592 B per
  ;; 4-row group and block). Per row and pair p, with Q = qs[32p..32p+31] (A = low nibbles = sub-block 2p,
  ;; B = high = 2p+1): Ab = A[j] | A[j+16]<<4, Bb = B[j] | B[j+16]<<4, and chunk c (4 bytes) =
  ;; Ab[2c], Ab[2c+1], Bb[2c], Bb[2c+1] (a 16-bit interleave); chunk c of rows 0..3 makes vector (p, c).
  (func (export "repack_q4_k") (param $src i32) (param $dst i32) (param $ng i32) (param $nb i32)
    (local $rs i32) (local $b i32) (local $r i32) (local $s i32) (local $p i32) (local $o i32)
    (local $q0 v128) (local $q1 v128) (local $ab v128) (local $bb v128) (local $lo v128) (local $hi v128) (local $m v128)
    (local.set $m (i8x16.splat (i32.const 15)))
    (local.set $rs (i32.mul (local.get $nb) (i32.const 148)))
    (block $dg (loop $lg
      (br_if $dg (i32.eqz (local.get $ng)))
      (local.set $b (i32.const 0))
      (block $db (loop $lb
        (br_if $db (i32.ge_u (local.get $b) (local.get $nb)))
        (local.set $r (i32.const 0))
        (loop $lr
          (local.set $s
            (i32.add (local.get $src)
              (i32.add (i32.mul (local.get $r) (local.get $rs)) (i32.mul (local.get $b) (i32.const 148)))))
          (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 1))) (i32.load16_u (local.get $s)))
          (i32.store16 offset=8 (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 1))) (i32.load16_u offset=2 (local.get $s)))
          (local.set $p (i32.const 0))
          (loop $lp
            (local.set $o (i32.add (local.get $dst) (i32.add (i32.shl (local.get $p) (i32.const 3)) (i32.shl (local.get $r) (i32.const 1)))))
            (i32.store16 offset=16 (local.get $o) (i32.load16_u offset=4 (i32.add (local.get $s) (i32.shl (local.get $p) (i32.const 1)))))
            (i32.store16 offset=48 (local.get $o) (i32.load16_u offset=12 (i32.add (local.get $s) (i32.shl (local.get $p) (i32.const 1)))))
            (local.set $q0 (v128.load offset=20 (i32.add (local.get $s) (i32.shl (local.get $p) (i32.const 5)))))
            (local.set $q1 (v128.load offset=36 (i32.add (local.get $s) (i32.shl (local.get $p) (i32.const 5)))))
            (local.set $ab (v128.or (v128.and (local.get $q0) (local.get $m)) (i16x8.shl (v128.and (local.get $q1) (local.get $m)) (i32.const 4))))
            (local.set $bb (v128.or (v128.and (i16x8.shr_u (local.get $q0) (i32.const 4)) (local.get $m)) (v128.andnot (local.get $q1) (local.get $m))))
            (local.set $lo (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $ab) (local.get $bb)))
            (local.set $hi (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $ab) (local.get $bb)))
            (local.set $o (i32.add (local.get $dst) (i32.add (i32.shl (local.get $p) (i32.const 7)) (i32.shl (local.get $r) (i32.const 2)))))
            (v128.store32_lane offset=80 0 (local.get $o) (local.get $lo))
            (v128.store32_lane offset=96 1 (local.get $o) (local.get $lo))
            (v128.store32_lane offset=112 2 (local.get $o) (local.get $lo))
            (v128.store32_lane offset=128 3 (local.get $o) (local.get $lo))
            (v128.store32_lane offset=144 0 (local.get $o) (local.get $hi))
            (v128.store32_lane offset=160 1 (local.get $o) (local.get $hi))
            (v128.store32_lane offset=176 2 (local.get $o) (local.get $hi))
            (v128.store32_lane offset=192 3 (local.get $o) (local.get $hi))
            (br_if $lp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const 4))))
          (br_if $lr (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 4))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 592)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $lb)))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $rs) (i32.const 2))))
      (local.set $ng (i32.sub (local.get $ng) (i32.const 1)))
      (br $lg))))

  ;; Reorders the quants of `nb` Q8_K activation blocks in place for `$q4_k_i4`: per pair p of 32-element
  ;; sub-blocks A, B, chunk i = A[2i], A[2i+1], B[2i], B[2i+1] (sums per sub-block stay valid).
  (func (export "pair_q8_k") (param $x i32) (param $nb i32)
    (local $p i32) (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $q i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $nb)))
      (local.set $p (i32.const 0))
      (loop $lp
        (local.set $q (i32.add (local.get $x) (i32.shl (local.get $p) (i32.const 6))))
        (local.set $a0 (v128.load (local.get $q)))
        (local.set $a1 (v128.load offset=16 (local.get $q)))
        (local.set $b0 (v128.load offset=32 (local.get $q)))
        (local.set $b1 (v128.load offset=48 (local.get $q)))
        (v128.store (local.get $q) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $a0) (local.get $b0)))
        (v128.store offset=16 (local.get $q) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $a0) (local.get $b0)))
        (v128.store offset=32 (local.get $q) (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $a1) (local.get $b1)))
        (v128.store offset=48 (local.get $q) (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $a1) (local.get $b1)))
        (br_if $lp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const 4))))
      (local.set $x (i32.add (local.get $x) (i32.const 320)))
      (local.set $nb (i32.sub (local.get $nb) (i32.const 1)))
      (br $l))))

  ;; Q4_K in the interleaved layout (x: Q8_K blocks after pair_q8_k): like mm_q4_0, four tokens per pass.
  (func (export "mm_q4_k") (param $w i32) (param $ng i32) (param $nb i32) (param $x i32) (param $n i32)
    (param $out i32) (param $ldo i32)
    (local $t0 i32) (local $t1 i32) (local $t i32) (local $g i32) (local $wg i32) (local $gs i32) (local $xs i32) (local $oa i32)
    (local.set $gs (i32.mul (local.get $nb) (i32.const 592)))
    (local.set $xs (i32.mul (local.get $nb) (i32.const 320)))
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $t0) (local.get $n)))
        (local.set $t1 (select (local.get $n) (i32.add (local.get $t0) (i32.const 16))
          (i32.lt_u (local.get $n) (i32.add (local.get $t0) (i32.const 16)))))
        (local.set $g (i32.const 0))
        (local.set $wg (local.get $w))
        (block $gd
          (loop $groups
            (br_if $gd (i32.ge_u (local.get $g) (local.get $ng)))
            (local.set $t (local.get $t0))
            (loop $toks
              (local.set $oa
                (i32.add (local.get $out)
                  (i32.shl (i32.add (i32.mul (local.get $t) (local.get $ldo)) (i32.shl (local.get $g) (i32.const 2))) (i32.const 2))))
              (if (i32.le_u (i32.add (local.get $t) (i32.const 4)) (local.get $t1))
                (then
                  (call $q4_k_i4x4 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs)))
                    (local.get $xs) (local.get $nb) (local.get $oa) (i32.shl (local.get $ldo) (i32.const 2)))
                  (local.set $t (i32.add (local.get $t) (i32.const 4))))
                (else
                  (v128.store (local.get $oa)
                    (call $q4_k_i4 (local.get $wg) (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $xs))) (local.get $nb)))
                  (local.set $t (i32.add (local.get $t) (i32.const 1)))))
              (br_if $toks (i32.lt_u (local.get $t) (local.get $t1))))
            (local.set $wg (i32.add (local.get $wg) (local.get $gs)))
            (local.set $g (i32.add (local.get $g) (i32.const 1)))
            (br $groups)))
        (local.set $t0 (local.get $t1))
        (br $tiles))))
)
