;; MinHash signature kernel (WebAssembly SIMD128): for hash functions h_i(x) = xorshift15((x ^ b_i) * a_i) in
;; 32-bit arithmetic, the signed minimum over a document's shingle hashes, eight functions per pass.
;; Compiled by test/data/minhash-wasm.test.ts's check into minhash-wasm.generated.ts (base64).
(module
  (memory (export "memory") 1)
  ;; $ab: a[0..k) then b[0..k) (i32 each); $sh: ns shingle hashes; $out: k minima. k is a multiple of 8.
  (func (export "signature") (param $ab i32) (param $k i32) (param $sh i32) (param $ns i32) (param $out i32)
    (local $g i32) (local $p i32) (local $end i32) (local $bo i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $m0 v128) (local $m1 v128) (local $x v128) (local $v v128) (local $w v128)
    (local.set $end (i32.add (local.get $sh) (i32.shl (local.get $ns) (i32.const 2))))
    (local.set $bo (i32.shl (local.get $k) (i32.const 2)))
    (local.set $g (i32.const 0))
    (block $done
      (loop $groups
        (br_if $done (i32.ge_u (local.get $g) (local.get $k)))
        (local.set $p (i32.add (local.get $ab) (i32.shl (local.get $g) (i32.const 2))))
        (local.set $a0 (v128.load (local.get $p)))
        (local.set $a1 (v128.load offset=16 (local.get $p)))
        (local.set $b0 (v128.load (i32.add (local.get $p) (local.get $bo))))
        (local.set $b1 (v128.load offset=16 (i32.add (local.get $p) (local.get $bo))))
        (local.set $m0 (i32x4.splat (i32.const 0x7fffffff)))
        (local.set $m1 (local.get $m0))
        (local.set $p (local.get $sh))
        (block $shdone
          (loop $shingles
            (br_if $shdone (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $x (v128.load32_splat (local.get $p)))
            (local.set $v (i32x4.mul (v128.xor (local.get $x) (local.get $b0)) (local.get $a0)))
            (local.set $w (i32x4.mul (v128.xor (local.get $x) (local.get $b1)) (local.get $a1)))
            (local.set $v (v128.xor (local.get $v) (i32x4.shr_u (local.get $v) (i32.const 15))))
            (local.set $w (v128.xor (local.get $w) (i32x4.shr_u (local.get $w) (i32.const 15))))
            (local.set $m0 (i32x4.min_s (local.get $m0) (local.get $v)))
            (local.set $m1 (i32x4.min_s (local.get $m1) (local.get $w)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $shingles)))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $g) (i32.const 2))))
        (v128.store (local.get $p) (local.get $m0))
        (v128.store offset=16 (local.get $p) (local.get $m1))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (br $groups)))
  )
)
