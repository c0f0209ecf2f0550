;; Packed, register-blocked f32x4 GEMM for the CPU trainer (src/train/gemm.ts): C (+)= op(A)·op(B) with any strides.
;; op(A)(i,k) = A[a + i·sai + k·sak], op(B)(k,j) = B[b + k·sbk + j·sbj]; pointers are byte offsets into the shared
;; memory, strides and sizes are in elements. Blocking as in BLIS: B in KC×NC blocks packed into 8-column panels,
;; A in MC×KC blocks packed into 4-row panels, a 4×8 micro-kernel (8 f32x4 accumulators) streaming both.
;; Edge tiles run the same micro-kernel on a zero-padded tile, so every element of C sees the same operations
;; wherever it sits (a split of C's rows over threads gives identical bits).
;; Built twice (scripts/build-wasm.mjs): plain SIMD128 (mul + add) and relaxed (f32x4.relaxed_madd, FMA on x64).
;; Twin in plain TypeScript: src/train/gemm.ts (gemmRef).
;;@variants relaxed
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Workspace layout (bytes from ws): packed B block [0, 512 KiB), packed A block [512, 640 KiB), tile [640 KiB, +128)
  ;; KC = 256, NC = 512, MC = 128
  (global $KC i32 (i32.const 256))
  (global $NC i32 (i32.const 512))
  (global $MC i32 (i32.const 128))

  ;; C[4, 8] at $pc (row stride $ldc bytes) (+)= Σ_k Ap[k][0..4] ⊗ Bp[k][0..8]
  (func $micro (param $pa i32) (param $pb i32) (param $kc i32) (param $pc i32) (param $ldc i32) (param $acc i32)
    (local $end i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $p1 (i32.add (local.get $pc) (local.get $ldc)))
    (local.set $p2 (i32.add (local.get $p1) (local.get $ldc)))
    (local.set $p3 (i32.add (local.get $p2) (local.get $ldc)))
    (if (local.get $acc)
      (then
        (local.set $c00 (v128.load (local.get $pc)))
        (local.set $c01 (v128.load offset=16 (local.get $pc)))
        (local.set $c10 (v128.load (local.get $p1)))
        (local.set $c11 (v128.load offset=16 (local.get $p1)))
        (local.set $c20 (v128.load (local.get $p2)))
        (local.set $c21 (v128.load offset=16 (local.get $p2)))
        (local.set $c30 (v128.load (local.get $p3)))
        (local.set $c31 (v128.load offset=16 (local.get $p3)))))
    (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $kc) (i32.const 4))))
    (block $done
      (loop $k
        (br_if $done (i32.ge_u (local.get $pa) (local.get $end)))
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
;;@if relaxed
        (local.set $x (v128.load32_splat (local.get $pa)))
        (local.set $c00 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c00)))
        (local.set $c01 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c01)))
        (local.set $x (v128.load32_splat offset=4 (local.get $pa)))
        (local.set $c10 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c10)))
        (local.set $c11 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c11)))
        (local.set $x (v128.load32_splat offset=8 (local.get $pa)))
        (local.set $c20 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c20)))
        (local.set $c21 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c21)))
        (local.set $x (v128.load32_splat offset=12 (local.get $pa)))
        (local.set $c30 (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $c30)))
        (local.set $c31 (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $c31)))
;;@else
        (local.set $x (v128.load32_splat (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat offset=4 (local.get $pa)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat offset=8 (local.get $pa)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat offset=12 (local.get $pa)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
;;@end
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br $k)))
    (v128.store (local.get $pc) (local.get $c00))
    (v128.store offset=16 (local.get $pc) (local.get $c01))
    (v128.store (local.get $p1) (local.get $c10))
    (v128.store offset=16 (local.get $p1) (local.get $c11))
    (v128.store (local.get $p2) (local.get $c20))
    (v128.store offset=16 (local.get $p2) (local.get $c21))
    (v128.store (local.get $p3) (local.get $c30))
    (v128.store offset=16 (local.get $p3) (local.get $c31)))

  ;; Packs op(B)[kc, nc] (byte strides sbk, sbj) into 8-column panels: dst[jr/8][k][0..8], zero past nc.
  (func $pack_b (param $dst i32) (param $b i32) (param $sbk i32) (param $sbj i32) (param $kc i32) (param $nc i32)
    (local $jr i32) (local $nr i32) (local $k i32) (local $src i32) (local $c i32)
    (local $s2 i32) (local $s4 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $s2 (i32.shl (local.get $sbj) (i32.const 1)))
    (local.set $s4 (i32.shl (local.get $sbj) (i32.const 2)))
    (block $jdone
      (loop $jl
        (br_if $jdone (i32.ge_s (local.get $jr) (local.get $nc)))
        (local.set $nr (i32.sub (local.get $nc) (local.get $jr)))
        (local.set $src (i32.add (local.get $b) (i32.mul (local.get $jr) (local.get $sbj))))
        (local.set $k (i32.const 0))
        (if (i32.ge_s (local.get $nr) (i32.const 8))
          (then
            (if (i32.eq (local.get $sbj) (i32.const 4))
              (then
                (block $kd
                  (loop $kl
                    (br_if $kd (i32.ge_s (local.get $k) (local.get $kc)))
                    (v128.store (local.get $dst) (v128.load (local.get $src)))
                    (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
                    (local.set $src (i32.add (local.get $src) (local.get $sbk)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $kl))))
              (else
                ;; strided columns (B stored transposed): 4×4 shuffle transposes while 4 k remain (sbk = 4),
                ;; then gather 8 scalars per k
                (if (i32.eq (local.get $sbk) (i32.const 4))
                  (then
                    (local.set $c (i32.add (local.get $src) (local.get $s4)))
                    (block $kd4
                      (loop $kl4
                        (br_if $kd4 (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
                    (local.set $r0 (v128.load (local.get $src)))
                    (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $sbj))))
                    (local.set $r2 (v128.load (i32.add (local.get $src) (local.get $s2))))
                    (local.set $r3 (v128.load (i32.sub (local.get $c) (local.get $sbj))))
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                    (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (v128.store offset=64 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (v128.store offset=96 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (local.set $r0 (v128.load (local.get $c)))
                    (local.set $r1 (v128.load (i32.add (local.get $c) (local.get $sbj))))
                    (local.set $r2 (v128.load (i32.add (local.get $c) (local.get $s2))))
                    (local.set $r3 (v128.load (i32.sub (i32.add (local.get $c) (local.get $s4)) (local.get $sbj))))
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                    (v128.store offset=16 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (v128.store offset=80 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (v128.store offset=112 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                        (local.set $src (i32.add (local.get $src) (i32.const 16)))
                        (local.set $c (i32.add (local.get $c) (i32.const 16)))
                        (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                        (local.set $k (i32.add (local.get $k) (i32.const 4)))
                        (br $kl4)))))
                (block $kd2
                  (loop $kl2
                    (br_if $kd2 (i32.ge_s (local.get $k) (local.get $kc)))
                    (local.set $c (i32.add (local.get $src) (local.get $s4)))
                    (v128.store (local.get $dst)
                      (f32x4.replace_lane 3
                        (f32x4.replace_lane 2
                          (f32x4.replace_lane 1
                            (v128.load32_zero (local.get $src))
                            (f32.load (i32.add (local.get $src) (local.get $sbj))))
                          (f32.load (i32.add (local.get $src) (local.get $s2))))
                        (f32.load (i32.sub (local.get $c) (local.get $sbj)))))
                    (v128.store offset=16 (local.get $dst)
                      (f32x4.replace_lane 3
                        (f32x4.replace_lane 2
                          (f32x4.replace_lane 1
                            (v128.load32_zero (local.get $c))
                            (f32.load (i32.add (local.get $c) (local.get $sbj))))
                          (f32.load (i32.add (local.get $c) (local.get $s2))))
                        (f32.load (i32.sub (i32.add (local.get $c) (local.get $s4)) (local.get $sbj)))))
                    (local.set $src (i32.add (local.get $src) (local.get $sbk)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $kl2))))))
          (else
            ;; last, partial panel: nr < 8 columns, zero padded
            (block $kd3
              (loop $kl3
                (br_if $kd3 (i32.ge_s (local.get $k) (local.get $kc)))
                (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
                (v128.store offset=16 (local.get $dst) (v128.const i32x4 0 0 0 0))
                (local.set $c (i32.const 0))
                (block $cd
                  (loop $cl
                    (br_if $cd (i32.ge_s (local.get $c) (local.get $nr)))
                    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2)))
                      (f32.load (i32.add (local.get $src) (i32.mul (local.get $c) (local.get $sbj)))))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $cl)))
                (local.set $src (i32.add (local.get $src) (local.get $sbk)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $kl3)))))
        (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
        (br $jl))))

  ;; Packs op(A)[mc, kc] (byte strides sai, sak) into 4-row panels: dst[ir/4][k][0..4], zero past mc.
  (func $pack_a (param $dst i32) (param $a i32) (param $sai i32) (param $sak i32) (param $mc i32) (param $kc i32)
    (local $ir i32) (local $mr i32) (local $k i32) (local $src i32) (local $r i32)
    (local $s2 i32) (local $s3 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $s2 (i32.shl (local.get $sai) (i32.const 1)))
    (local.set $s3 (i32.add (local.get $s2) (local.get $sai)))
    (block $idone
      (loop $il
        (br_if $idone (i32.ge_s (local.get $ir) (local.get $mc)))
        (local.set $mr (i32.sub (local.get $mc) (local.get $ir)))
        (local.set $src (i32.add (local.get $a) (i32.mul (local.get $ir) (local.get $sai))))
        (local.set $k (i32.const 0))
        (if (i32.ge_s (local.get $mr) (i32.const 4))
          (then
            (if (i32.eq (local.get $sai) (i32.const 4))
              (then
                ;; op(A) is a transposed matrix: 4 rows of op(A) are contiguous
                (block $kd
                  (loop $kl
                    (br_if $kd (i32.ge_s (local.get $k) (local.get $kc)))
                    (v128.store (local.get $dst) (v128.load (local.get $src)))
                    (local.set $src (i32.add (local.get $src) (local.get $sak)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $kl))))
              (else
                (if (i32.eq (local.get $sak) (i32.const 4))
                  (then
                    ;; row-major A: 4×4 blocks by shuffle transpose
                    (block $kd4
                      (loop $kl4
                        (br_if $kd4 (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $kc)))
                    (local.set $r0 (v128.load (local.get $src)))
                    (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $sai))))
                    (local.set $r2 (v128.load (i32.add (local.get $src) (local.get $s2))))
                    (local.set $r3 (v128.load (i32.add (local.get $src) (local.get $s3))))
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                    (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                        (local.set $src (i32.add (local.get $src) (i32.const 16)))
                        (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                        (local.set $k (i32.add (local.get $k) (i32.const 4)))
                        (br $kl4)))))
                (block $kd2
                  (loop $kl2
                    (br_if $kd2 (i32.ge_s (local.get $k) (local.get $kc)))
                    (v128.store (local.get $dst)
                      (f32x4.replace_lane 3
                        (f32x4.replace_lane 2
                          (f32x4.replace_lane 1
                            (v128.load32_zero (local.get $src))
                            (f32.load (i32.add (local.get $src) (local.get $sai))))
                          (f32.load (i32.add (local.get $src) (local.get $s2))))
                        (f32.load (i32.add (local.get $src) (local.get $s3)))))
                    (local.set $src (i32.add (local.get $src) (local.get $sak)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $k (i32.add (local.get $k) (i32.const 1)))
                    (br $kl2))))))
          (else
            (block $kd3
              (loop $kl3
                (br_if $kd3 (i32.ge_s (local.get $k) (local.get $kc)))
                (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
                (local.set $r (i32.const 0))
                (block $rd
                  (loop $rl
                    (br_if $rd (i32.ge_s (local.get $r) (local.get $mr)))
                    (f32.store (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2)))
                      (f32.load (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $sai)))))
                    (local.set $r (i32.add (local.get $r) (i32.const 1)))
                    (br $rl)))
                (local.set $src (i32.add (local.get $src) (local.get $sak)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $kl3)))))
        (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
        (br $il))))

  ;; Copies an mr×nr corner of C (row stride ldc bytes) to/from the 4×8 tile at t (dir 0: C → tile, zero padded).
  (func $tile_copy (param $t i32) (param $pc i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $dir i32)
    (local $r i32) (local $c i32) (local $pt i32) (local $pp i32)
    (if (i32.eqz (local.get $dir))
      (then
        (v128.store offset=0 (local.get $t) (v128.const i32x4 0 0 0 0))
        (v128.store offset=16 (local.get $t) (v128.const i32x4 0 0 0 0))
        (v128.store offset=32 (local.get $t) (v128.const i32x4 0 0 0 0))
        (v128.store offset=48 (local.get $t) (v128.const i32x4 0 0 0 0))
        (v128.store offset=64 (local.get $t) (v128.const i32x4 0 0 0 0))
        (v128.store offset=80 (local.get $t) (v128.const i32x4 0 0 0 0))
        (v128.store offset=96 (local.get $t) (v128.const i32x4 0 0 0 0))
        (v128.store offset=112 (local.get $t) (v128.const i32x4 0 0 0 0))))
    (block $rd
      (loop $rl
        (br_if $rd (i32.ge_s (local.get $r) (local.get $mr)))
        (local.set $c (i32.const 0))
        (block $cd
          (loop $cl
            (br_if $cd (i32.ge_s (local.get $c) (local.get $nr)))
            (local.set $pt (i32.add (local.get $t)
              (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $c)) (i32.const 2))))
            (local.set $pp (i32.add (local.get $pc)
              (i32.add (i32.mul (local.get $r) (local.get $ldc)) (i32.shl (local.get $c) (i32.const 2)))))
            (if (local.get $dir)
              (then (f32.store (local.get $pp) (f32.load (local.get $pt))))
              (else (f32.store (local.get $pt) (f32.load (local.get $pp)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $cl)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl))))

  ;; C[M, N] (+)= op(A)·op(B) over K; a, b, c, ws byte offsets; strides in elements; ws: 640 KiB + 128 workspace.
  (func (export "gemm")
    (param $a i32) (param $sai i32) (param $sak i32) (param $b i32) (param $sbk i32) (param $sbj i32)
    (param $c i32) (param $ldc i32) (param $M i32) (param $N i32) (param $K i32) (param $acc i32) (param $ws i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $ir i32) (local $accf i32) (local $bp i32) (local $ap i32) (local $tile i32)
    (local $cp i32) (local $mr i32) (local $nr i32) (local $r i32)
    (local.set $sai (i32.shl (local.get $sai) (i32.const 2)))
    (local.set $sak (i32.shl (local.get $sak) (i32.const 2)))
    (local.set $sbk (i32.shl (local.get $sbk) (i32.const 2)))
    (local.set $sbj (i32.shl (local.get $sbj) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $bp (local.get $ws))
    (local.set $ap (i32.add (local.get $ws) (i32.const 524288)))
    (local.set $tile (i32.add (local.get $ws) (i32.const 655360)))
    ;; K = 0: C = 0 (or unchanged when accumulating)
    (if (i32.and (i32.eqz (local.get $K)) (i32.eqz (local.get $acc)))
      (then
        (block $zd
          (loop $zl
            (br_if $zd (i32.ge_s (local.get $r) (local.get $M)))
            (memory.fill
              (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc)))
              (i32.const 0) (i32.shl (local.get $N) (i32.const 2)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $zl)))))
    (block $jcd
      (loop $jcl
        (br_if $jcd (i32.ge_s (local.get $jc) (local.get $N)))
        (local.set $nc (i32.sub (local.get $N) (local.get $jc)))
        (if (i32.gt_s (local.get $nc) (global.get $NC)) (then (local.set $nc (global.get $NC))))
        (local.set $pc (i32.const 0))
        (block $pcd
          (loop $pcl
            (br_if $pcd (i32.ge_s (local.get $pc) (local.get $K)))
            (local.set $kc (i32.sub (local.get $K) (local.get $pc)))
            (if (i32.gt_s (local.get $kc) (global.get $KC)) (then (local.set $kc (global.get $KC))))
            (local.set $accf (i32.or (local.get $acc) (i32.gt_s (local.get $pc) (i32.const 0))))
            (call $pack_b (local.get $bp)
              (i32.add (local.get $b)
                (i32.add (i32.mul (local.get $pc) (local.get $sbk)) (i32.mul (local.get $jc) (local.get $sbj))))
              (local.get $sbk) (local.get $sbj) (local.get $kc) (local.get $nc))
            (local.set $ic (i32.const 0))
            (block $icd
              (loop $icl
                (br_if $icd (i32.ge_s (local.get $ic) (local.get $M)))
                (local.set $mc (i32.sub (local.get $M) (local.get $ic)))
                (if (i32.gt_s (local.get $mc) (global.get $MC)) (then (local.set $mc (global.get $MC))))
                (call $pack_a (local.get $ap)
                  (i32.add (local.get $a)
                    (i32.add (i32.mul (local.get $ic) (local.get $sai)) (i32.mul (local.get $pc) (local.get $sak))))
                  (local.get $sai) (local.get $sak) (local.get $mc) (local.get $kc))
                (local.set $jr (i32.const 0))
                (block $jrd
                  (loop $jrl
                    (br_if $jrd (i32.ge_s (local.get $jr) (local.get $nc)))
                    (local.set $nr (i32.sub (local.get $nc) (local.get $jr)))
                    (local.set $ir (i32.const 0))
                    (block $ird
                      (loop $irl
                        (br_if $ird (i32.ge_s (local.get $ir) (local.get $mc)))
                        (local.set $mr (i32.sub (local.get $mc) (local.get $ir)))
                        (local.set $cp (i32.add (local.get $c)
                          (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ldc))
                            (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2)))))
                        (if (i32.and (i32.ge_s (local.get $mr) (i32.const 4)) (i32.ge_s (local.get $nr) (i32.const 8)))
                          (then
                            (call $micro
                              (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                              (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                              (local.get $kc) (local.get $cp) (local.get $ldc) (local.get $accf)))
                          (else
                            (if (i32.gt_s (local.get $mr) (i32.const 4)) (then (local.set $mr (i32.const 4))))
                            (if (i32.gt_s (local.get $nr) (i32.const 8)) (then (local.set $nr (i32.const 8))))
                            (call $tile_copy (local.get $tile) (local.get $cp) (local.get $ldc)
                              (local.get $mr) (local.get $nr) (i32.const 0))
                            (call $micro
                              (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
                              (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
                              (local.get $kc) (local.get $tile) (i32.const 32) (local.get $accf))
                            (call $tile_copy (local.get $tile) (local.get $cp) (local.get $ldc)
                              (local.get $mr) (local.get $nr) (i32.const 1))
                            (local.set $nr (i32.sub (local.get $nc) (local.get $jr)))))
                        (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
                        (br $irl)))
                    (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
                    (br $jrl)))
                (local.set $ic (i32.add (local.get $ic) (local.get $mc)))
                (br $icl)))
            (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
            (br $pcl)))
        (local.set $jc (i32.add (local.get $jc) (local.get $nc)))
        (br $jcl))))
;; ---------------------------------------------------------------------------------------------------------
;; Element-wise training ops (twins: the float64 TypeScript functions in src/train/ops.ts and optim.ts).

  ;; exp's constants live in memory at $kp (set_consts, once per instance): V8 rebuilds a v128.const at every use
  ;; (several instructions), a load from memory is one.
  (global $kp (mut i32) (i32.const 0))
  (func (export "set_consts") (param $p i32)
    (v128.store offset=0 (local.get $p) (v128.const f32x4 88.7 88.7 88.7 88.7))
    (v128.store offset=16 (local.get $p) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))
    (v128.store offset=32 (local.get $p) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
    (v128.store offset=48 (local.get $p) (v128.const f32x4 12582912 12582912 12582912 12582912))
    (v128.store offset=64 (local.get $p) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
    (v128.store offset=80 (local.get $p) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
    (v128.store offset=96 (local.get $p) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (v128.store offset=112 (local.get $p) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
    (v128.store offset=128 (local.get $p) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
    (v128.store offset=144 (local.get $p) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
    (v128.store offset=160 (local.get $p) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
    (v128.store offset=176 (local.get $p) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
    (v128.store offset=192 (local.get $p) (v128.const f32x4 1 1 1 1))
    (v128.store offset=208 (local.get $p) (v128.const i32x4 0x4B400000 0x4B400000 0x4B400000 0x4B400000))
    (v128.store offset=224 (local.get $p) (v128.const i32x4 127 127 127 127))
    (global.set $kp (local.get $p)))

  ;; e^x for four lanes: 2^n · p(r), n = round(x·log2 e) (by adding 1.5·2^23, whose low mantissa bits then hold n),
  ;; r = x − n·ln 2 (two-part), Cephes' degree-6 polynomial; inputs clamped to [−87.3, 88.7] (relative error ≈ 1e-7).
  ;; EXP4(x → $ex using $en $ep) below is this function written inline (V8 does not inline wasm calls): keep in step.
  (func $exp4 (param $x v128) (result v128)
    (local $ex v128) (local $en v128) (local $ep v128)
    (local $kp i32)
    (local.set $kp (global.get $kp))
    (local.set $x (f32x4.pmax (f32x4.pmin (local.get $x) (v128.load offset=0 (local.get $kp))) (v128.load offset=16 (local.get $kp))))
    (local.set $en (f32x4.add (f32x4.mul (local.get $x) (v128.load offset=32 (local.get $kp))) (v128.load offset=48 (local.get $kp))))
    (local.set $ep (f32x4.sub (local.get $en) (v128.load offset=48 (local.get $kp))))
    (local.set $x (f32x4.sub (f32x4.sub (local.get $x) (f32x4.mul (local.get $ep) (v128.load offset=64 (local.get $kp))))
        (f32x4.mul (local.get $ep) (v128.load offset=80 (local.get $kp)))))
    (local.set $ep (f32x4.add (f32x4.mul (v128.load offset=96 (local.get $kp)) (local.get $x)) (v128.load offset=112 (local.get $kp))))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $x)) (v128.load offset=128 (local.get $kp))))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $x)) (v128.load offset=144 (local.get $kp))))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $x)) (v128.load offset=160 (local.get $kp))))
    (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $x)) (v128.load offset=176 (local.get $kp))))
    (local.set $ep (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $ep) (local.get $x)) (local.get $x))
        (local.get $x)) (v128.load offset=192 (local.get $kp))))
    (local.set $ex (f32x4.mul (local.get $ep) (i32x4.shl (i32x4.add (i32x4.sub (local.get $en)
        (v128.load offset=208 (local.get $kp))) (v128.load offset=224 (local.get $kp))) (i32.const 23))))
    (local.get $ex))

  ;; horizontal sum / max of four lanes
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))
  (func $hmax (param $v v128) (result f32)
    (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.max (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Softmax statistics of row p[0..n): returns Σ e_j with e_j = exp(p_j − max), stores max at $out, and writes e_j
  ;; in place when $store != 0.
  (func $exp_row (param $p i32) (param $n i32) (param $out i32) (param $store i32) (result f32)
    (local $j i32) (local $n4 i32) (local $mx v128) (local $m f32) (local $s v128) (local $sum f32) (local $e f32)
    (local $mv v128) (local $ex v128) (local $en v128) (local $ep v128)
    (local $kp i32)
    (local.set $kp (global.get $kp))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $mx (v128.const f32x4 -inf -inf -inf -inf))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_s (local.get $j) (local.get $n4)))
      (local.set $mx (f32x4.pmax (local.get $mx) (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l1)))
    (local.set $m (call $hmax (local.get $mx)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $m (f32.max (local.get $m) (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l2)))
    (f32.store (local.get $out) (local.get $m))
    (local.set $mv (f32x4.splat (local.get $m)))
    (local.set $j (i32.const 0))
    (block $d3 (loop $l3
      (br_if $d3 (i32.ge_s (local.get $j) (local.get $n4)))
      (local.set $mx (f32x4.sub (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))
        (local.get $mv)))
      ;; EXP4($mx → $ex)
      (local.set $mx (f32x4.pmax (f32x4.pmin (local.get $mx) (v128.load offset=0 (local.get $kp))) (v128.load offset=16 (local.get $kp))))
      (local.set $en (f32x4.add (f32x4.mul (local.get $mx) (v128.load offset=32 (local.get $kp))) (v128.load offset=48 (local.get $kp))))
      (local.set $ep (f32x4.sub (local.get $en) (v128.load offset=48 (local.get $kp))))
      (local.set $mx (f32x4.sub (f32x4.sub (local.get $mx) (f32x4.mul (local.get $ep) (v128.load offset=64 (local.get $kp))))
              (f32x4.mul (local.get $ep) (v128.load offset=80 (local.get $kp)))))
      (local.set $ep (f32x4.add (f32x4.mul (v128.load offset=96 (local.get $kp)) (local.get $mx)) (v128.load offset=112 (local.get $kp))))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $mx)) (v128.load offset=128 (local.get $kp))))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $mx)) (v128.load offset=144 (local.get $kp))))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $mx)) (v128.load offset=160 (local.get $kp))))
      (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $mx)) (v128.load offset=176 (local.get $kp))))
      (local.set $ep (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $ep) (local.get $mx)) (local.get $mx))
              (local.get $mx)) (v128.load offset=192 (local.get $kp))))
      (local.set $ex (f32x4.mul (local.get $ep) (i32x4.shl (i32x4.add (i32x4.sub (local.get $en)
              (v128.load offset=208 (local.get $kp))) (v128.load offset=224 (local.get $kp))) (i32.const 23))))
      (local.set $mx (local.get $ex))
      (if (local.get $store)
        (then (v128.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))) (local.get $mx))))
      (local.set $s (f32x4.add (local.get $s) (local.get $mx)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l3)))
    (local.set $sum (call $hsum (local.get $s)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $e (f32x4.extract_lane 0 (call $exp4 (f32x4.splat (f32.sub
        (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))) (local.get $m))))))
      (if (local.get $store)
        (then (f32.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))) (local.get $e))))
      (local.set $sum (f32.add (local.get $sum) (local.get $e)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l4)))
    (local.get $sum))

  ;; p[0..n) *= s
  (func $scale_row (param $p i32) (param $n i32) (param $s f32)
    (local $j i32) (local $n4 i32) (local $sv v128) (local $q i32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $j) (local.get $n4)))
      (local.set $q (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))
      (v128.store (local.get $q) (f32x4.mul (v128.load (local.get $q)) (local.get $sv)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $l)))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $q (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))
      (f32.store (local.get $q) (f32.mul (f32.load (local.get $q)) (local.get $s)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $l2))))

  ;; Cross-entropy of one row of V logits at p against target tgt: stores [max, Σ exp(z − max)] at out; when
  ;; grad != 0 the row becomes (softmax − onehot(tgt))·scale, else it is left unchanged.
  ;; (−log p_tgt = log Σ − (z_tgt − max), computed by the caller.)
  (func (export "ce_row") (param $p i32) (param $V i32) (param $tgt i32) (param $scale f32) (param $grad i32)
    (param $out i32)
    (local $sum f32) (local $q i32)
    (local.set $sum (call $exp_row (local.get $p) (local.get $V) (local.get $out) (local.get $grad)))
    (f32.store offset=4 (local.get $out) (local.get $sum))
    (if (local.get $grad)
      (then
        (call $scale_row (local.get $p) (local.get $V) (f32.div (local.get $scale) (local.get $sum)))
        (local.set $q (i32.add (local.get $p) (i32.shl (local.get $tgt) (i32.const 2))))
        (f32.store (local.get $q) (f32.sub (f32.load (local.get $q)) (local.get $scale))))))

  ;; Causal softmax of the T×T scores at P (row stride T): row t keeps columns 0..t, scaled by s, softmaxed; the
  ;; rest set to 0. $tmp: 4 bytes of scratch.
  (func (export "softmax_causal") (param $P i32) (param $T i32) (param $s f32) (param $tmp i32)
    (local $t i32) (local $row i32) (local $n i32) (local $sum f32)
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $row (i32.add (local.get $P) (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2))))
      (local.set $n (i32.add (local.get $t) (i32.const 1)))
      (call $scale_row (local.get $row) (local.get $n) (local.get $s))
      (local.set $sum (call $exp_row (local.get $row) (local.get $n) (local.get $tmp) (i32.const 1)))
      (call $scale_row (local.get $row) (local.get $n) (f32.div (f32.const 1) (local.get $sum)))
      (memory.fill (i32.add (local.get $row) (i32.shl (local.get $n) (i32.const 2))) (i32.const 0)
        (i32.shl (i32.sub (local.get $T) (local.get $n)) (i32.const 2)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $l))))

  ;; Backward of softmax_causal: dP (T×T at D, in place) becomes s·P ⊙ (dP − Σ_j P·dP) on the lower triangle, 0 above.
  (func (export "softmax_causal_bwd") (param $P i32) (param $D i32) (param $T i32) (param $s f32)
    (local $t i32) (local $j i32) (local $n i32) (local $n4 i32) (local $pr i32) (local $dr i32)
    (local $acc v128) (local $dot f32) (local $dv v128) (local $sv v128) (local $o i32)
    (local.set $sv (f32x4.splat (local.get $s)))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $t) (local.get $T)))
      (local.set $o (i32.shl (i32.mul (local.get $t) (local.get $T)) (i32.const 2)))
      (local.set $pr (i32.add (local.get $P) (local.get $o)))
      (local.set $dr (i32.add (local.get $D) (local.get $o)))
      (local.set $n (i32.add (local.get $t) (i32.const 1)))
      (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_s (local.get $j) (local.get $n4)))
        (local.set $o (i32.shl (local.get $j) (i32.const 2)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
          (v128.load (i32.add (local.get $pr) (local.get $o))) (v128.load (i32.add (local.get $dr) (local.get $o))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l1)))
      (local.set $dot (call $hsum (local.get $acc)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $o (i32.shl (local.get $j) (i32.const 2)))
        (local.set $dot (f32.add (local.get $dot) (f32.mul
          (f32.load (i32.add (local.get $pr) (local.get $o))) (f32.load (i32.add (local.get $dr) (local.get $o))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l2)))
      (local.set $dv (f32x4.splat (local.get $dot)))
      (local.set $j (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.ge_s (local.get $j) (local.get $n4)))
        (local.set $o (i32.shl (local.get $j) (i32.const 2)))
        (v128.store (i32.add (local.get $dr) (local.get $o))
          (f32x4.mul (f32x4.mul (local.get $sv) (v128.load (i32.add (local.get $pr) (local.get $o))))
            (f32x4.sub (v128.load (i32.add (local.get $dr) (local.get $o))) (local.get $dv))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $l3)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $o (i32.shl (local.get $j) (i32.const 2)))
        (f32.store (i32.add (local.get $dr) (local.get $o))
          (f32.mul (f32.mul (local.get $s) (f32.load (i32.add (local.get $pr) (local.get $o))))
            (f32.sub (f32.load (i32.add (local.get $dr) (local.get $o))) (local.get $dot))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l4)))
      (memory.fill (i32.add (local.get $dr) (i32.shl (local.get $n) (i32.const 2))) (i32.const 0)
        (i32.shl (i32.sub (local.get $T) (local.get $n)) (i32.const 2)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $l))))

  ;; h = silu(g)·u over n rows of gu = [g (F) | u (F)] (F a multiple of 4)
  (func (export "silu_mul") (param $gu i32) (param $h i32) (param $n i32) (param $F i32)
    (local $i i32) (local $j i32) (local $pg i32) (local $ph i32) (local $x v128) (local $F4 i32)
    (local $y v128) (local $ex v128) (local $en v128) (local $ep v128)
    (local $kp i32)
    (local.set $kp (global.get $kp))
    (local.set $F4 (i32.shl (local.get $F) (i32.const 2)))
    (block $d (loop $l
      (br_if $d (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $pg (i32.add (local.get $gu) (i32.shl (i32.mul (local.get $i) (local.get $F4)) (i32.const 1))))
      (local.set $ph (i32.add (local.get $h) (i32.mul (local.get $i) (local.get $F4))))
      (local.set $j (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_s (local.get $j) (local.get $F4)))
        (local.set $x (v128.load (i32.add (local.get $pg) (local.get $j))))
        (local.set $y (f32x4.neg (local.get $x)))
        ;; EXP4($y → $ex)
        (local.set $y (f32x4.pmax (f32x4.pmin (local.get $y) (v128.load offset=0 (local.get $kp))) (v128.load offset=16 (local.get $kp))))
        (local.set $en (f32x4.add (f32x4.mul (local.get $y) (v128.load offset=32 (local.get $kp))) (v128.load offset=48 (local.get $kp))))
        (local.set $ep (f32x4.sub (local.get $en) (v128.load offset=48 (local.get $kp))))
        (local.set $y (f32x4.sub (f32x4.sub (local.get $y) (f32x4.mul (local.get $ep) (v128.load offset=64 (local.get $kp))))
                (f32x4.mul (local.get $ep) (v128.load offset=80 (local.get $kp)))))
        (local.set $ep (f32x4.add (f32x4.mul (v128.load offset=96 (local.get $kp)) (local.get $y)) (v128.load offset=112 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=128 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=144 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=160 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=176 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $ep) (local.get $y)) (local.get $y))
                (local.get $y)) (v128.load offset=192 (local.get $kp))))
        (local.set $ex (f32x4.mul (local.get $ep) (i32x4.shl (i32x4.add (i32x4.sub (local.get $en)
                (v128.load offset=208 (local.get $kp))) (v128.load offset=224 (local.get $kp))) (i32.const 23))))
        (v128.store (i32.add (local.get $ph) (local.get $j))
          (f32x4.div (f32x4.mul (local.get $x) (v128.load (i32.add (i32.add (local.get $pg) (local.get $F4)) (local.get $j))))
            (f32x4.add (v128.load offset=192 (local.get $kp)) (local.get $ex))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; Backward of silu_mul: dgu = [dh·u·σ(g)·(1 + g·(1 − σ(g))) | dh·g·σ(g)] (F a multiple of 4)
  (func (export "silu_mul_bwd") (param $gu i32) (param $dh i32) (param $dgu i32) (param $n i32) (param $F i32)
    (local $i i32) (local $j i32) (local $pg i32) (local $pd i32) (local $po i32) (local $F4 i32)
    (local $x v128) (local $u v128) (local $sg v128) (local $d v128)
    (local $y v128) (local $ex v128) (local $en v128) (local $ep v128)
    (local $kp i32)
    (local.set $kp (global.get $kp))
    (local.set $F4 (i32.shl (local.get $F) (i32.const 2)))
    (block $b (loop $l
      (br_if $b (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $pg (i32.add (local.get $gu) (i32.shl (i32.mul (local.get $i) (local.get $F4)) (i32.const 1))))
      (local.set $po (i32.add (local.get $dgu) (i32.shl (i32.mul (local.get $i) (local.get $F4)) (i32.const 1))))
      (local.set $pd (i32.add (local.get $dh) (i32.mul (local.get $i) (local.get $F4))))
      (local.set $j (i32.const 0))
      (block $b1 (loop $l1
        (br_if $b1 (i32.ge_s (local.get $j) (local.get $F4)))
        (local.set $x (v128.load (i32.add (local.get $pg) (local.get $j))))
        (local.set $u (v128.load (i32.add (i32.add (local.get $pg) (local.get $F4)) (local.get $j))))
        (local.set $d (v128.load (i32.add (local.get $pd) (local.get $j))))
        (local.set $y (f32x4.neg (local.get $x)))
        ;; EXP4($y → $ex)
        (local.set $y (f32x4.pmax (f32x4.pmin (local.get $y) (v128.load offset=0 (local.get $kp))) (v128.load offset=16 (local.get $kp))))
        (local.set $en (f32x4.add (f32x4.mul (local.get $y) (v128.load offset=32 (local.get $kp))) (v128.load offset=48 (local.get $kp))))
        (local.set $ep (f32x4.sub (local.get $en) (v128.load offset=48 (local.get $kp))))
        (local.set $y (f32x4.sub (f32x4.sub (local.get $y) (f32x4.mul (local.get $ep) (v128.load offset=64 (local.get $kp))))
                (f32x4.mul (local.get $ep) (v128.load offset=80 (local.get $kp)))))
        (local.set $ep (f32x4.add (f32x4.mul (v128.load offset=96 (local.get $kp)) (local.get $y)) (v128.load offset=112 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=128 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=144 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=160 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $y)) (v128.load offset=176 (local.get $kp))))
        (local.set $ep (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $ep) (local.get $y)) (local.get $y))
                (local.get $y)) (v128.load offset=192 (local.get $kp))))
        (local.set $ex (f32x4.mul (local.get $ep) (i32x4.shl (i32x4.add (i32x4.sub (local.get $en)
                (v128.load offset=208 (local.get $kp))) (v128.load offset=224 (local.get $kp))) (i32.const 23))))
        (local.set $sg (f32x4.div (v128.load offset=192 (local.get $kp)) (f32x4.add (v128.load offset=192 (local.get $kp)) (local.get $ex))))
        (v128.store (i32.add (i32.add (local.get $po) (local.get $F4)) (local.get $j))
          (f32x4.mul (f32x4.mul (local.get $d) (local.get $x)) (local.get $sg)))
        (v128.store (i32.add (local.get $po) (local.get $j))
          (f32x4.mul (f32x4.mul (f32x4.mul (local.get $d) (local.get $u)) (local.get $sg))
            (f32x4.add (v128.load offset=192 (local.get $kp))
              (f32x4.mul (local.get $x) (f32x4.sub (v128.load offset=192 (local.get $kp)) (local.get $sg))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; dst[0..n) += src[0..n) (n a multiple of 4)
  (func (export "add_to") (param $dst i32) (param $src i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $l))))

  ;; RMSNorm forward over n rows of width d (a multiple of 4): r = 1/√(mean(x²) + eps) saved in rs, y = x·r·w
  (func (export "rmsnorm") (param $x i32) (param $w i32) (param $y i32) (param $rs i32) (param $n i32) (param $d i32)
    (param $eps f32)
    (local $i i32) (local $j i32) (local $px i32) (local $py i32) (local $acc v128) (local $r v128) (local $v v128)
    (local $d4 i32)
    (local.set $d4 (i32.shl (local.get $d) (i32.const 2)))
    (block $b (loop $l
      (br_if $b (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $px (i32.add (local.get $x) (i32.mul (local.get $i) (local.get $d4))))
      (local.set $py (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $d4))))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $b1 (loop $l1
        (br_if $b1 (i32.ge_s (local.get $j) (local.get $d4)))
        (local.set $v (v128.load (i32.add (local.get $px) (local.get $j))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $v) (local.get $v))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (local.set $r (f32x4.splat (f32.div (f32.const 1) (f32.sqrt (f32.add
        (f32.div (call $hsum (local.get $acc)) (f32.convert_i32_s (local.get $d))) (local.get $eps))))))
      (f32.store (i32.add (local.get $rs) (i32.shl (local.get $i) (i32.const 2))) (f32x4.extract_lane 0 (local.get $r)))
      (local.set $j (i32.const 0))
      (block $b2 (loop $l2
        (br_if $b2 (i32.ge_s (local.get $j) (local.get $d4)))
        (v128.store (i32.add (local.get $py) (local.get $j))
          (f32x4.mul (f32x4.mul (v128.load (i32.add (local.get $px) (local.get $j))) (local.get $r))
            (v128.load (i32.add (local.get $w) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; RMSNorm backward: dx += r·(dy·w) − x·r³·mean(dy·w·x); dw += Σ_rows dy·x·r (d a multiple of 4)
  (func (export "rmsnorm_bwd") (param $x i32) (param $w i32) (param $rs i32) (param $dy i32) (param $dx i32)
    (param $dw i32) (param $n i32) (param $d i32)
    (local $i i32) (local $j i32) (local $px i32) (local $pg i32) (local $pd i32) (local $o i32) (local $d4 i32)
    (local $r f32) (local $rv v128) (local $acc v128) (local $g v128) (local $xv v128) (local $cv v128)
    (local.set $d4 (i32.shl (local.get $d) (i32.const 2)))
    (block $b (loop $l
      (br_if $b (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $o (i32.mul (local.get $i) (local.get $d4)))
      (local.set $px (i32.add (local.get $x) (local.get $o)))
      (local.set $pg (i32.add (local.get $dy) (local.get $o)))
      (local.set $pd (i32.add (local.get $dx) (local.get $o)))
      (local.set $r (f32.load (i32.add (local.get $rs) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $rv (f32x4.splat (local.get $r)))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.const 0))
      (block $b1 (loop $l1
        (br_if $b1 (i32.ge_s (local.get $j) (local.get $d4)))
        (local.set $g (v128.load (i32.add (local.get $pg) (local.get $j))))
        (local.set $xv (v128.load (i32.add (local.get $px) (local.get $j))))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (f32x4.mul (local.get $g) (v128.load (i32.add (local.get $w) (local.get $j)))) (local.get $xv))))
        (v128.store (i32.add (local.get $dw) (local.get $j)) (f32x4.add (v128.load (i32.add (local.get $dw) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $g) (local.get $xv)) (local.get $rv))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l1)))
      (local.set $cv (f32x4.splat (f32.div
        (f32.mul (f32.mul (f32.mul (local.get $r) (local.get $r)) (local.get $r)) (call $hsum (local.get $acc)))
        (f32.convert_i32_s (local.get $d)))))
      (local.set $j (i32.const 0))
      (block $b2 (loop $l2
        (br_if $b2 (i32.ge_s (local.get $j) (local.get $d4)))
        (v128.store (i32.add (local.get $pd) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $pd) (local.get $j)))
            (f32x4.sub
              (f32x4.mul (f32x4.mul (local.get $rv) (v128.load (i32.add (local.get $pg) (local.get $j))))
                (v128.load (i32.add (local.get $w) (local.get $j))))
              (f32x4.mul (v128.load (i32.add (local.get $px) (local.get $j))) (local.get $cv)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $l2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))

  ;; AdamW over n parameters (n a multiple of 4): m = b1·m + (1−b1)·g, v = b2·v + (1−b2)·g², p −= lr·wd·p where
  ;; mask[i] != 0 (one byte per parameter), p −= lr·(m/c1)/(√(v/c2) + eps).
  (func (export "adamw") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $mask i32) (param $n i32)
    (param $lr f32) (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32) (param $eps f32) (param $wd f32)
    (local $i i32) (local $o i32) (local $gv v128) (local $mv v128) (local $vv v128) (local $pv v128) (local $dm v128)
    (local $B1 v128) (local $B2 v128) (local $A1 v128) (local $A2 v128) (local $C1 v128) (local $C2 v128) (local $E v128)
    (local $LR v128) (local $LW v128)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $A1 (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $A2 (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $E (f32x4.splat (local.get $eps)))
    (local.set $LR (f32x4.splat (local.get $lr)))
    (local.set $LW (f32x4.splat (f32.mul (local.get $lr) (local.get $wd))))
    (block $b (loop $l
      (br_if $b (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $o))))
      (local.set $mv (f32x4.add (f32x4.mul (local.get $B1) (v128.load (i32.add (local.get $m) (local.get $o))))
        (f32x4.mul (local.get $A1) (local.get $gv))))
      (local.set $vv (f32x4.add (f32x4.mul (local.get $B2) (v128.load (i32.add (local.get $v) (local.get $o))))
        (f32x4.mul (f32x4.mul (local.get $A2) (local.get $gv)) (local.get $gv))))
      (v128.store (i32.add (local.get $m) (local.get $o)) (local.get $mv))
      (v128.store (i32.add (local.get $v) (local.get $o)) (local.get $vv))
      (local.set $pv (v128.load (i32.add (local.get $p) (local.get $o))))
      ;; decay lanes: mask bytes widened to all-ones lanes
      (local.set $dm (i32x4.ne
        (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
          (v128.load32_zero (i32.add (local.get $mask) (local.get $i)))))
        (v128.const i32x4 0 0 0 0)))
      (local.set $pv (f32x4.sub (local.get $pv)
        (v128.and (local.get $dm) (f32x4.mul (local.get $LW) (local.get $pv)))))
      (v128.store (i32.add (local.get $p) (local.get $o))
        (f32x4.sub (local.get $pv)
          (f32x4.div (f32x4.mul (local.get $LR) (f32x4.div (local.get $mv) (local.get $C1)))
            (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $C2))) (local.get $E)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l))))

  ;; Σ g² over n floats (n a multiple of 4), squared and accumulated in float64
  (func (export "sumsq") (param $g i32) (param $n i32) (result f64)
    (local $end i32) (local $v v128) (local $w v128) (local $a v128) (local $b v128)
    (local.set $end (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 2))))
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $g) (local.get $end)))
      (local.set $v (v128.load (local.get $g)))
      (local.set $w (f64x2.promote_low_f32x4 (local.get $v)))
      (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $w) (local.get $w))))
      (local.set $w (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
      (local.set $b (f64x2.add (local.get $b) (f64x2.mul (local.get $w) (local.get $w))))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (br $l)))
    (local.set $a (f64x2.add (local.get $a) (local.get $b)))
    (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a))))

  ;; NeoX RoPE in place on nh heads of D floats (D a multiple of 8) inside nRows rows of ld floats, position t = row mod T:
  ;; (x0, x1) → (x0·c − x1·s, x0·s + x1·c) with c, s from the [T, D/2] float tables at $cos, $sin; sign −1 rotates back.
  (func (export "rope") (param $x i32) (param $ld i32) (param $nRows i32) (param $T i32) (param $nh i32) (param $D i32)
    (param $cos i32) (param $sin i32) (param $sign f32)
    (local $r i32) (local $h i32) (local $i i32) (local $half i32) (local $o i32) (local $cb i32) (local $sb i32)
    (local $x0 v128) (local $x1 v128) (local $c v128) (local $s v128) (local $sg v128) (local $p i32)
    (local.set $half (i32.shl (i32.shr_u (local.get $D) (i32.const 1)) (i32.const 2)))
    (local.set $sg (f32x4.splat (local.get $sign)))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_s (local.get $r) (local.get $nRows)))
      (local.set $cb (i32.add (local.get $cos) (i32.mul (i32.rem_u (local.get $r) (local.get $T)) (local.get $half))))
      (local.set $sb (i32.add (local.get $sin) (i32.mul (i32.rem_u (local.get $r) (local.get $T)) (local.get $half))))
      (local.set $h (i32.const 0))
      (block $hd (loop $hl
        (br_if $hd (i32.ge_s (local.get $h) (local.get $nh)))
        (local.set $o (i32.add (local.get $x)
          (i32.shl (i32.add (i32.mul (local.get $r) (local.get $ld)) (i32.mul (local.get $h) (local.get $D))) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $id (loop $il
          (br_if $id (i32.ge_s (local.get $i) (local.get $half)))
          (local.set $p (i32.add (local.get $o) (local.get $i)))
          (local.set $x0 (v128.load (local.get $p)))
          (local.set $x1 (v128.load (i32.add (local.get $p) (local.get $half))))
          (local.set $c (v128.load (i32.add (local.get $cb) (local.get $i))))
          (local.set $s (f32x4.mul (local.get $sg) (v128.load (i32.add (local.get $sb) (local.get $i)))))
          (v128.store (local.get $p)
            (f32x4.sub (f32x4.mul (local.get $x0) (local.get $c)) (f32x4.mul (local.get $x1) (local.get $s))))
          (v128.store (i32.add (local.get $p) (local.get $half))
            (f32x4.add (f32x4.mul (local.get $x0) (local.get $s)) (f32x4.mul (local.get $x1) (local.get $c))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br $il)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; x[0..n) *= s (n a multiple of 4)
  (func (export "scale") (param $x i32) (param $n i32) (param $s f32)
    (call $scale_row (local.get $x) (local.get $n) (local.get $s)))
)
