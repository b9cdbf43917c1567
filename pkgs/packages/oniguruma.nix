{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "oniguruma";
  version = "6.9.8";
  src = sources.oniguruma;
  outputs = [ "out" "dev" ];
  meta = { description = "Regular expressions library"; license = lib.licenses.bsd2; };
}
