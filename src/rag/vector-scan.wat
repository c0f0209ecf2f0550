;; Dot-product scans for the vector index (WASM SIMD): f32 rows (`scan`) and int8 rows against an int16
;; query (`scan_i8`, the fast first pass; the index rescores its best candidates in f32).
;; Compiled to vector-scan-wasm.ts (base64) by test/rag/vector-scan.test.ts's regeneration check.
(module
  (memory (export "memory") 1)
  ;; data, q, out: byte offsets; n rows; bytes = stride·4 (a multiple of 16)
  (func (export "scan") (param $data i32) (param $q i32) (param $out i32) (param $n i32) (param $bytes i32)
    (local $r i32) (local $i i32) (local $row i32) (local $end64 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $row (local.get $data))
    (local.set $end64 (i32.and (local.get $bytes) (i32.const -64)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $e64
          (loop $l64
            (br_if $e64 (i32.ge_u (local.get $i) (local.get $end64)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
              (v128.load (i32.add (local.get $row) (local.get $i)))
              (v128.load (i32.add (local.get $q) (local.get $i))))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul
              (v128.load offset=16 (i32.add (local.get $row) (local.get $i)))
              (v128.load offset=16 (i32.add (local.get $q) (local.get $i))))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul
              (v128.load offset=32 (i32.add (local.get $row) (local.get $i)))
              (v128.load offset=32 (i32.add (local.get $q) (local.get $i))))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul
              (v128.load offset=48 (i32.add (local.get $row) (local.get $i)))
              (v128.load offset=48 (i32.add (local.get $q) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 64)))
            (br $l64)))
        (block $e16
          (loop $l16
            (br_if $e16 (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul
              (v128.load (i32.add (local.get $row) (local.get $i)))
              (v128.load (i32.add (local.get $q) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $l16)))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
;; int8 rows: out[r] (i32) = Σ_i data[r·bytes + i] · q[i], data int8, q int16 (bytes·2 bytes), bytes a multiple of 32
  (func (export "scan_i8") (param $data i32) (param $q i32) (param $out i32) (param $n i32) (param $bytes i32)
    (local $r i32) (local $i i32) (local $row i32) (local $qp i32) (local $v v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $row (local.get $data))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (local.set $qp (local.get $q))
        (block $e32
          (loop $l32
            (br_if $e32 (i32.ge_u (local.get $i) (local.get $bytes)))
            (local.set $v (v128.load (i32.add (local.get $row) (local.get $i))))
            (local.set $w (v128.load offset=16 (i32.add (local.get $row) (local.get $i))))
            (local.set $a0 (i32x4.add (local.get $a0)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $qp)))))
            (local.set $a1 (i32x4.add (local.get $a1)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $qp)))))
            (local.set $a2 (i32x4.add (local.get $a2)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w)) (v128.load offset=32 (local.get $qp)))))
            (local.set $a3 (i32x4.add (local.get $a3)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w)) (v128.load offset=48 (local.get $qp)))))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (local.set $qp (i32.add (local.get $qp) (i32.const 64)))
            (br $l32)))
        (local.set $a0 (i32x4.add (i32x4.add (local.get $a0) (local.get $a1)) (i32x4.add (local.get $a2) (local.get $a3))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
            (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
;; Quantizes one row to int8: src f32[n] (n a multiple of 16, zero padded) → dst i8[n], round to nearest
  ;; even of x·127/max|x|; returns max|x| (0: all zero). $l1 (out, f32 at $l1p) receives Σ|x|.
  (func (export "quant_row") (param $src i32) (param $dst i32) (param $n i32) (param $l1p i32) (result f32)
    (local $i i32) (local $p i32) (local $m v128) (local $s v128) (local $x v128) (local $inv v128) (local $mx f32)
    (local.set $m (v128.const i32x4 0 0 0 0))
    (local.set $s (v128.const i32x4 0 0 0 0))
    (block $e1
      (loop $l1
        (br_if $e1 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (f32x4.abs (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $m (f32x4.max (local.get $m) (local.get $x)))
        (local.set $s (f32x4.add (local.get $s) (local.get $x)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l1)))
    (local.set $mx (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
      (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (f32.store (local.get $l1p) (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
      (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
    (local.set $inv (f32x4.splat
      (select (f32.div (f32.const 127) (local.get $mx)) (f32.const 0) (f32.gt (local.get $mx) (f32.const 0)))))
    (local.set $i (i32.const 0))
    (block $e2
      (loop $l2
        (br_if $e2 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))
        (v128.store (i32.add (local.get $dst) (local.get $i))
          (i8x16.narrow_i16x8_s
            (i16x8.narrow_i32x4_s
              (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load (local.get $p)) (local.get $inv))))
              (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $inv)))))
            (i16x8.narrow_i32x4_s
              (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $inv))))
              (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (v128.load offset=48 (local.get $p)) (local.get $inv)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l2)))
    (local.get $mx))
)
