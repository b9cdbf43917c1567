# Small packages for the profile tests (tests/e2e/profiles*.sh): busybox-static scripts, built
# without a sandbox in a throwaway store. `tools` is a store path holding busybox and its applets.
{ tools, salt ? "" }:
let
  t = builtins.storePath tools;
  mk = { name, script, meta ? {}, extra ? {} }:
    derivation ({
      inherit name salt;
      system = builtins.currentSystem;
      builder = "${t}/bin/sh";
      args = [ "-c" "export PATH=${t}/bin; mkdir -p $out/bin; ${script}" ];
    } // extra) // { inherit meta; };
  prog = name: body: ''printf '#!${t}/bin/sh\n${body}\n' > $out/bin/${name}; chmod +x $out/bin/${name}'';
in rec {
  libdep = mk { name = "libdep-1.0"; script = prog "libdep" "echo libdep-ok"; };
  hello = mk { name = "hello-1.0"; script = prog "hello" "${libdep}/bin/libdep; echo hello 1.0";
               meta = { description = "says hello"; homepage = "https://example.org/hello"; }; };
  hello2 = mk { name = "hello-2.0"; script = prog "hello" "${libdep}/bin/libdep; echo hello 2.0"; };
  app = mk { name = "app-0.5"; script = prog "app" "${libdep}/bin/libdep; echo app 0.5"; };
  foo = mk { name = "foo-0.1"; script = "${prog "foo" "echo foo"}; mkdir -p $out/share/doc; echo foo > $out/share/doc/foo";
             meta = { priority = 3; license = [ "mit" "bsd" ]; }; };
  bar = mk { name = "bar-1.2pre3"; script = "${prog "bar" "echo bar"}; mkdir -p $out/share/doc; echo bar > $out/share/doc/bar"; };
  # Same file as hello's bin/hello: a conflict unless priorities differ.
  clash = mk { name = "clash-1"; script = prog "hello" "echo clash"; };
  # Propagates app into the user environment.
  withprop = mk { name = "withprop-1"; script = "${prog "wp" "echo wp"}; mkdir -p $out/nix-support; echo ${app} > $out/nix-support/propagated-user-env-packages"; };
  multi = mk { name = "multi-3"; script = "${prog "multi" "echo multi"}; mkdir -p $dev/include; echo h > $dev/include/m.h";
               extra = { outputs = [ "out" "dev" ]; }; };
  nested = { recurseForDerivations = true; inner = mk { name = "inner-2"; script = prog "inner" "echo inner"; }; };
}
