{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "xz";
  version = "5.4.1";
  src = sources.xz;
  outputs = [ "out" "dev" "man" ];
  configureFlags = "--disable-nls --disable-doc";
  meta = { description = "General-purpose data compression software (LZMA)"; license = lib.licenses.publicDomain; };
}
