with builtins;
let
  p = "/nix/store/ibhnaxi7kxdyxxf60r0bsdwdl14fnmz1-foo";
  d = "/nix/store/yvfgvsq1rvlyi0kkk2xl2pbpgrx2zd5g-bar.drv";
  s = appendContext "text" {
    ${p} = { path = true; };
    ${d} = { outputs = [ "out" "dev" ]; allOutputs = true; };
  };
  onlyDrv = appendContext "x" { ${d} = { path = true; }; };
in
{
  ctx = getContext s;
  has = [ (hasContext s) (hasContext "plain") (hasContext (unsafeDiscardStringContext s)) ];
  discarded = getContext (unsafeDiscardOutputDependency s);
  discardPlain = unsafeDiscardStringContext s;
  concat = getContext (s + "more");
  substr = getContext (substring 0 1 s);
  replaced = getContext (replaceStrings [ "t" ] [ "T" ] s);
  sep = getContext (concatStringsSep s [ "a" "b" ]);
  empty = getContext "";
  noOutputs = getContext (appendContext "y" { ${d} = { outputs = [ ]; }; });
  falses = getContext (appendContext "y" { ${d} = { path = false; allOutputs = false; }; });
  onlyDrv = getContext onlyDrv;
  len = stringLength s;
  eq = s == "text";
}
