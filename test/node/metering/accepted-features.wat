(module
  (type $pair (func (result i32 i64)))
  (import "env" "seed" (func $seed (result i32)))
  (memory (export "memory") 1)
  (table $t 4 funcref)
  (global $started (mut i32) (i32.const 0))
  (global $fref funcref (ref.func $double))
  (data $passive "\01\02\03\04\05\06\07\08")
  (data (i32.const 64) "abcd")
  (elem $pe func $double $triple)
  (elem declare func $triple)
  (elem (table $t) (i32.const 0) func $double)

  (func $start (global.set $started (i32.add (call $seed) (i32.const 100))))
  (start $start)

  (func $double (param $n i32) (result i32) (i32.mul (local.get $n) (i32.const 2)))
  (func $triple (param $n i32) (result i32) (i32.mul (local.get $n) (i32.const 3)))
  (func $two (type $pair) (i32.const 7) (i64.const 9))

  (func $simd (result i32) (local $v v128)
    (local.set $v (v128.const i32x4 1 2 3 4))
    (local.set $v (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v)))
    (local.set $v (i32x4.replace_lane 3 (local.get $v) (i32.const 40)))
    (local.set $v (v128.load32_lane 1 (i32.const 64) (local.get $v)))
    (v128.store32_lane 2 (i32.const 256) (local.get $v))
    (local.set $v (i32x4.add (local.get $v) (v128.load32_zero (i32.const 256))))
    (i32.add (i32x4.extract_lane 0 (local.get $v))
      (i32.add (i32x4.extract_lane 1 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  (func $bulk (result i32)
    (memory.fill (i32.const 512) (i32.const 7) (i32.const 100))
    (memory.copy (i32.const 700) (i32.const 500) (i32.const 50))
    (memory.init $passive (i32.const 800) (i32.const 2) (i32.const 4))
    (data.drop $passive)
    (table.init $t $pe (i32.const 1) (i32.const 0) (i32.const 2))
    (elem.drop $pe)
    (table.copy $t $t (i32.const 3) (i32.const 2) (i32.const 1))
    (drop (table.grow $t (ref.null func) (i32.const 2)))
    (table.fill $t (i32.const 4) (ref.func $triple) (i32.const 2))
    (i32.add
      (i32.add (i32.load8_u (i32.const 715)) (i32.load (i32.const 800)))
      (i32.add (table.size $t)
        (i32.add (call_indirect $t (param i32) (result i32) (i32.const 5) (i32.const 5))
          (call_indirect $t (param i32) (result i32) (i32.const 5) (i32.const 1))))))

  (func $refs (result i32)
    (table.set $t (i32.const 0) (ref.func $triple))
    (i32.add
      (i32.add (ref.is_null (table.get $t (i32.const 0))) (ref.is_null (ref.null extern)))
      (i32.add
        (select (result i32) (i32.const 10) (i32.const 20) (ref.is_null (global.get $fref)))
        (call_indirect $t (param i32) (result i32) (i32.const 7) (i32.const 0)))))

  (func $numeric (param $x i32) (result i32)
    (i32.add
      (i32.add (i32.trunc_sat_f64_s (f64.const 1e20)) (i32.trunc_sat_f32_u (f32.const -5)))
      (i32.add (i32.extend8_s (i32.add (local.get $x) (i32.const 0x7f)))
        (i32.wrap_i64 (i64.extend32_s (i64.const 0x80000000))))))

  (func $pick (param $x i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get $x)))
      (return (i32.const 11)))
      (return (i32.const 22)))
      (return (i32.const 33)))
    (i32.const 44))

  (func $multi (result i64) (local $a i32) (local $b i64)
    block (result i32 i64)
      call $two
    end
    local.set $b
    local.set $a
    i32.const 5
    block (param i32) (result i32)
      i32.const 1
      i32.add
    end
    local.get $a
    i32.add
    i64.extend_i32_u
    local.get $b
    i64.add)

  (func (export "run") (param $x i32) (result i64) (local $i i32) (local $sum i64)
    (loop $again
      (local.set $sum (i64.add (local.get $sum)
        (i64.extend_i32_u (i32.add (call $pick (local.get $i)) (call $numeric (local.get $i))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $x))))
    (i64.add (local.get $sum)
      (i64.add (call $multi)
        (i64.extend_i32_u
          (i32.add (global.get $started)
            (i32.add (call $simd) (i32.add (call $bulk) (call $refs)))))))))
