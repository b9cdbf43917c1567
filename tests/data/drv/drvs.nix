# Derivations used as test vectors; instantiate each attribute with Nix 2.8 (see generate.sh).
let
  sys = "x86_64-linux";
  mk = attrs: derivation ({ system = sys; builder = "/bin/sh"; args = [ "-c" "echo > $out" ]; } // attrs);
  fixedFlat = algo: hash: mk { name = "fixed-flat-${algo}"; outputHashAlgo = algo; outputHash = hash; };
  fixedRec = algo: hash: mk { name = "fixed-rec-${algo}"; outputHashMode = "recursive"; outputHashAlgo = algo; outputHash = hash; };
  txt = builtins.toFile "a-text-file" "some text\n";
  txtRef = builtins.toFile "text-with-ref" "refers to ${txt}\n";
in rec {
  simple = mk { name = "simple"; };
  multi = mk { name = "multi"; outputs = [ "out" "dev" "lib" "doc-html" ]; };
  escapes = mk {
    name = "escapes";
    args = [ "-c" "printf '%s\\n' \"$quoted\"" "" "tab\there" "cr\rhere" "nl\nhere" "back\\slash" "quote\"s" ];
    quoted = "a \"quoted\" string with \\ backslashes \\\\ and \\n not-a-newline";
    controls = builtins.fromJSON ''"bell\u0007 esc\u001b nul-less del\u007f utf8 é ✓ 𝄞"'';
    multiline = ''
      line one
        indented "two"
      	tab-line
    '';
    empty = "";
    "weird key with spaces" = "v";
  };
  types = mk {
    name = "types";
    aBool = true; aFalse = false; aNull = null; anInt = 42; aNegInt = -7; aFloat = 1.5;
    aList = [ "x" 1 true null "" [ "nested" ] ];
    aPath = ./src-file.txt;
    emptyList = [ ];
  };
  fixed-flat-md5 = fixedFlat "md5" "d41d8cd98f00b204e9800998ecf8427e";
  fixed-flat-sha1 = fixedFlat "sha1" "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  fixed-flat-sha256 = fixedFlat "sha256" "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
  fixed-flat-sha512 = fixedFlat "sha512" "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
  fixed-rec-md5 = fixedRec "md5" "0a430879c266f8b57f4092a0f935cf3f";
  fixed-rec-sha1 = fixedRec "sha1" "0zd6bwk3c4r4f6zyq3k0x5qy0r3gwk5w";
  fixed-rec-sha256 = fixedRec "sha256" "1rjs6c23nyf8zkmf7yxglz2q2m7v5kp51nc2m0lk4h998d0qiixs";
  fixed-rec-sha512 = fixedRec "sha512" "fdd1b9a5e1b0f1ad9c5b61a5f12bf6e70bde3b7f6fde33fed4b70b33ec0fb1a0aa46cd62ac4d9e36a1a8b2c8d94d0c21fb6f0dfd3ac6bd5ab85e3a81c1e4df5f";
  fixed-sri = mk { name = "fixed-sri"; outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="; };
  deps = mk {
    name = "deps";
    builder = "${multi}/bin/sh";
    args = [ "${multi.dev}" "${multi.lib}" "${simple}" ];
    fixedDep = fixed-flat-sha256;
    recDep = fixed-rec-sha512;
  };
  deep = mk {
    name = "deep";
    outputs = [ "bin" "out" ];
    inputs = [ deps deps.out multi.doc-html escapes ];
  };
  srcs = mk {
    name = "srcs";
    file = ./src-file.txt;
    dir = ./src-dir;
    text = txt;
    textRef = txtRef;
    interpolated = "${./src-file.txt}:${builtins.toFile "other" "other"}";
  };
  pass-as-file = mk {
    name = "pass-as-file";
    passAsFile = [ "big" "other" ];
    big = "a big value\nwith lines";
    other = "";
  };
  structured = mk {
    name = "structured";
    __structuredAttrs = true;
    outputs = [ "out" "dev" ];
    aString = "s";
    aList = [ 1 "two" true null 1.5 ];
    anAttrs = { x = 1; y = [ "z" ]; nested.deep = "yes"; };
    dep = simple;
    path = ./src-file.txt;
  };
  args-only = derivation { name = "args-only"; system = "aarch64-darwin"; builder = "/bin/bash"; args = [ ]; };
  fixed-dep-on-fixed = mk {
    name = "fixed-dep-on-fixed";
    outputHash = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    outputHashMode = "recursive";
    src = fixed-rec-sha1;
    other = deps;
  };
  ca = mk { name = "ca"; __contentAddressed = true; outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputs = [ "out" "dev" ]; };
  ca-flat-sha1 = mk { name = "ca-flat-sha1"; __contentAddressed = true; outputHashAlgo = "sha1"; };
  deferred = mk { name = "deferred"; ca = ca; caDev = ca.dev; outputs = [ "out" "lib" ]; };
  deferred2 = mk { name = "deferred2"; dep = deferred.lib; };
  impure = mk { name = "impure"; __impure = true; outputHashMode = "recursive"; outputHashAlgo = "sha256"; };
  dep-on-impure = mk { name = "dep-on-impure"; dep = impure; };
}
