;; Exact dot-product scan for the vector index (WASM SIMD): out[r] = Σ_i data[r·stride + i] · q[i].
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
)
