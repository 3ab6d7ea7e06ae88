;; A component that targets its own world (world.wit), not edge:contract's
;; file-contract: upload must refuse it, naming `run`.
(module
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get 3)))
    (local.get $at))
  ;; hello(input: string) -> string: answers its input (ret area at 16: ptr, len).
  (func (export "hello") (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (i32.const 16)))
