;; f32x4 SIMD GEMM kernels for the CPU trainer (src/train): C (+)= A·Bᵀ (gemm_nt) and C (+)= op(A)·B (gemm_xn).
;; All pointers are byte offsets into the shared memory; leading dimensions are in elements.
;; Twin in plain TypeScript: src/train/gemm.ts (gemmNtRef, gemmXnRef).
(module
  (import "env" "memory" (memory 1 65536 shared))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; [Σa, Σb, Σc, Σd] (horizontal sums of four vectors, by two shuffle-add rounds)
  (func $hsum4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $t0 v128) (local $t1 v128)
    (local.set $t0 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $t1 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1))))

  ;; dot product of K floats at pa and pb
  (func $dot (param $pa i32) (param $pb i32) (param $K i32) (result f32)
    (local $acc v128) (local $k i32) (local $s f32)
    (block $done
      (loop $l
        (br_if $done (i32.gt_s (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
        (local.set $acc (f32x4.add (local.get $acc)
          (f32x4.mul (v128.load (local.get $pa)) (v128.load (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br $l)))
    (local.set $s (call $hsum (local.get $acc)))
    (block $done2
      (loop $l2
        (br_if $done2 (i32.ge_s (local.get $k) (local.get $K)))
        (local.set $s (f32.add (local.get $s)
          (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l2)))
    (local.get $s))

  ;; store s at p, adding the old value when acc != 0
  (func $put (param $p i32) (param $s f32) (param $acc i32)
    (if (local.get $acc)
      (then (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $s))))
      (else (f32.store (local.get $p) (local.get $s)))))

  ;; C[i*ldc+j] (+)= sum_k A[i*lda+k] * B[j*ldb+k]   for i < M, j < N
  (func (export "gemm_nt")
    (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (param $M i32) (param $N i32) (param $K i32) (param $acc i32)
    (local $i i32) (local $j i32) (local $k i32) (local $K4 i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb0 i32) (local $pb1 i32) (local $pb2 i32) (local $pb3 i32)
    (local $o i32) (local $pc i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local $r0 v128) (local $r1 v128)
    (local.set $lda (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $K4 (i32.and (local.get $K) (i32.const -4)))
    (local.set $i (i32.const 0))
    (block $idone
      (loop $iloop
        (br_if $idone (i32.gt_s (i32.add (local.get $i) (i32.const 2)) (local.get $M)))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $lda)))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $N)))
            (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
            (local.set $pb1 (i32.add (local.get $pb0) (local.get $ldb)))
            (local.set $pb2 (i32.add (local.get $pb1) (local.get $ldb)))
            (local.set $pb3 (i32.add (local.get $pb2) (local.get $ldb)))
            (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c02 (v128.const i32x4 0 0 0 0)) (local.set $c03 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c12 (v128.const i32x4 0 0 0 0)) (local.set $c13 (v128.const i32x4 0 0 0 0))
            (local.set $o (i32.const 0))
            (local.set $k (i32.const 0))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_s (local.get $k) (local.get $K4)))
                (local.set $a0 (v128.load (i32.add (local.get $pa0) (local.get $o))))
                (local.set $a1 (v128.load (i32.add (local.get $pa1) (local.get $o))))
                (local.set $b0 (v128.load (i32.add (local.get $pb0) (local.get $o))))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $b0))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $b0))))
                (local.set $b1 (v128.load (i32.add (local.get $pb1) (local.get $o))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $b1))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $b1))))
                (local.set $b2 (v128.load (i32.add (local.get $pb2) (local.get $o))))
                (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $a0) (local.get $b2))))
                (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $a1) (local.get $b2))))
                (local.set $b3 (v128.load (i32.add (local.get $pb3) (local.get $o))))
                (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $a0) (local.get $b3))))
                (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $a1) (local.get $b3))))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $kloop)))
            ;; transpose-and-add: r0 = [Σc00, Σc01, Σc02, Σc03], r1 likewise for row 1
            (local.set $r0 (call $hsum4 (local.get $c00) (local.get $c01) (local.get $c02) (local.get $c03)))
            (local.set $r1 (call $hsum4 (local.get $c10) (local.get $c11) (local.get $c12) (local.get $c13)))
            (block $tdone
              (loop $tloop
                (br_if $tdone (i32.ge_s (local.get $k) (local.get $K)))
                (local.set $b0
                  (f32x4.replace_lane 3
                    (f32x4.replace_lane 2
                      (f32x4.replace_lane 1
                        (f32x4.splat (f32.load (i32.add (local.get $pb0) (local.get $o))))
                        (f32.load (i32.add (local.get $pb1) (local.get $o))))
                      (f32.load (i32.add (local.get $pb2) (local.get $o))))
                    (f32.load (i32.add (local.get $pb3) (local.get $o)))))
                (local.set $r0 (f32x4.add (local.get $r0)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa0) (local.get $o))) (local.get $b0))))
                (local.set $r1 (f32x4.add (local.get $r1)
                  (f32x4.mul (v128.load32_splat (i32.add (local.get $pa1) (local.get $o))) (local.get $b0))))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $tloop)))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))))
            (if (local.get $acc)
              (then
                (local.set $r0 (f32x4.add (local.get $r0) (v128.load (local.get $pc))))
                (local.set $r1 (f32x4.add (local.get $r1) (v128.load (i32.add (local.get $pc) (local.get $ldc)))))))
            (v128.store (local.get $pc) (local.get $r0))
            (v128.store (i32.add (local.get $pc) (local.get $ldc)) (local.get $r1))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $jloop)))
        ;; remaining columns of these two rows
        (block $rdone
          (loop $rloop
            (br_if $rdone (i32.ge_s (local.get $j) (local.get $N)))
            (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))))
            (call $put (local.get $pc) (call $dot (local.get $pa0) (local.get $pb0) (local.get $K)) (local.get $acc))
            (call $put (i32.add (local.get $pc) (local.get $ldc))
              (call $dot (local.get $pa1) (local.get $pb0) (local.get $K)) (local.get $acc))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $rloop)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $iloop)))
    ;; a last odd row
    (if (i32.lt_s (local.get $i) (local.get $M))
      (then
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
        (local.set $j (i32.const 0))
        (block $ldone
          (loop $lloop
            (br_if $ldone (i32.ge_s (local.get $j) (local.get $N)))
            (local.set $pb0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $ldb))))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))))
            (call $put (local.get $pc) (call $dot (local.get $pa0) (local.get $pb0) (local.get $K)) (local.get $acc))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lloop))))))

  ;; C[i*ldc+j] (+)= sum_k A(i,k) * B[k*ldb+j], A(i,k) = f32 at a + i*sai + k*sak (byte strides):
  ;; sai = 4*lda, sak = 4 gives A·B; sai = 4, sak = 4*lda gives Aᵀ·B.
  (func (export "gemm_xn")
    (param $a i32) (param $sai i32) (param $sak i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (param $M i32) (param $N i32) (param $K i32) (param $acc i32)
    (local $i i32) (local $j i32) (local $k i32) (local $rows i32) (local $r i32)
    (local $pa i32) (local $pb i32) (local $pc i32) (local $sai2 i32) (local $sai3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $s f32)
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $sai2 (i32.shl (local.get $sai) (i32.const 1)))
    (local.set $sai3 (i32.add (local.get $sai2) (local.get $sai)))
    (local.set $j (i32.const 0))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))))
            (if (local.get $acc)
              (then
                (local.set $c00 (v128.load (local.get $pc)))
                (local.set $c01 (v128.load offset=16 (local.get $pc)))
                (local.set $c10 (v128.load (i32.add (local.get $pc) (local.get $ldc))))
                (local.set $c11 (v128.load offset=16 (i32.add (local.get $pc) (local.get $ldc))))
                (local.set $c20 (v128.load (i32.add (local.get $pc) (i32.shl (local.get $ldc) (i32.const 1)))))
                (local.set $c21 (v128.load offset=16 (i32.add (local.get $pc) (i32.shl (local.get $ldc) (i32.const 1)))))
                (local.set $c30 (v128.load (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 3)))))
                (local.set $c31 (v128.load offset=16 (i32.add (local.get $pc) (i32.mul (local.get $ldc) (i32.const 3))))))
              (else
                (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
                (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $k (local.get $K))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $x (v128.load32_splat (local.get $pa)))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $sai))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $sai2))))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $sai3))))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $kloop)))
            (v128.store (local.get $pc) (local.get $c00))
            (v128.store offset=16 (local.get $pc) (local.get $c01))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (local.get $c10))
            (v128.store offset=16 (local.get $pc) (local.get $c11))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (local.get $c20))
            (v128.store offset=16 (local.get $pc) (local.get $c21))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (local.get $c30))
            (v128.store offset=16 (local.get $pc) (local.get $c31))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $iloop)))
        ;; remaining rows, one at a time
        (block $rdone
          (loop $rloop
            (br_if $rdone (i32.ge_s (local.get $i) (local.get $M)))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))))
            (if (local.get $acc)
              (then
                (local.set $c00 (v128.load (local.get $pc)))
                (local.set $c01 (v128.load offset=16 (local.get $pc))))
              (else
                (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $k (local.get $K))
            (block $kdone2
              (loop $kloop2
                (br_if $kdone2 (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $x (v128.load32_splat (local.get $pa)))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (v128.load (local.get $pb)))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $kloop2)))
            (v128.store (local.get $pc) (local.get $c00))
            (v128.store offset=16 (local.get $pc) (local.get $c01))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $jloop)))
    ;; remaining columns (N mod 8), scalar
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $j) (local.get $N)))
        (local.set $i (i32.const 0))
        (block $ridone
          (loop $riloop
            (br_if $ridone (i32.ge_s (local.get $i) (local.get $M)))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $s (f32.const 0))
            (local.set $k (local.get $K))
            (block $kd3
              (loop $kl3
                (br_if $kd3 (i32.le_s (local.get $k) (i32.const 0)))
                (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
                (local.set $pa (i32.add (local.get $pa) (local.get $sak)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $kl3)))
            (call $put (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2))))
              (local.get $s) (local.get $acc))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $riloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cloop))))
)
