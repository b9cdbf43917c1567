{ stdenv, sources, lib }:
stdenv.mkDerivation {
  pname = "zlib";
  version = "1.2.13";
  src = sources.zlib;
  outputs = [ "out" "dev" ];
  doCheck = true;
  meta = { description = "Lossless data-compression library"; license = lib.licenses.zlib; };
}
