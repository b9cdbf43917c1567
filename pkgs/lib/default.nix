# A small library for the package set: fixed points and extensions, overriding, and the few list,
# string and attribute-set helpers the collection needs.
let
  inherit (builtins) attrNames concatLists elemAt filter foldl' functionArgs genList head
    intersectAttrs isAttrs isFunction isList isString length listToAttrs map replaceStrings split
    stringLength substring tail;
in
rec {
  # fix f: the fixed point of f (f's argument is its own result).
  fix = f: let x = f x; in x;

  # extends overlay f: a function whose fixed point is f's, with overlay (final: prev: ...) applied.
  extends = overlay: f: final: let prev = f final; in prev // overlay final prev;

  # composeManyExtensions [o1 o2 ...]: one overlay applying o1, then o2, ...
  composeExtensions = f: g: final: prev:
    let fApplied = f final prev; in fApplied // g final (prev // fApplied);
  composeManyExtensions = foldl' composeExtensions (final: prev: { });

  # makeOverridable f args: f args, plus `override` (call f again with changed arguments;
  # a function of the old arguments or an attribute set) and `overrideDerivation`.
  makeOverridable = f: origArgs:
    let
      result = f origArgs;
      overrideWith = newArgs: origArgs // (if isFunction newArgs then newArgs origArgs else newArgs);
    in
    if isAttrs result then
      result // {
        override = newArgs: makeOverridable f (overrideWith newArgs);
        overrideAttrs = fattrs: makeOverridable (args: (f args).overrideAttrs fattrs) origArgs;
      }
    else if isFunction result then
      { __functor = self: result; override = newArgs: makeOverridable f (overrideWith newArgs); }
    else result;

  # callPackageWith autoArgs fn args: imports fn if it is a path, and calls it with the
  # arguments it names taken from autoArgs, overridden by args; the result is overridable.
  callPackageWith = autoArgs: fn: args:
    let
      f = if isFunction fn then fn else import fn;
      auto = intersectAttrs (functionArgs f) autoArgs;
    in
    makeOverridable f (auto // args);

  # Strings and lists.
  hasPrefix = pref: str: substring 0 (stringLength pref) str == pref;
  hasSuffix = suff: str:
    let l = stringLength str; s = stringLength suff; in
    l >= s && substring (l - s) s str == suff;
  removePrefix = pref: str:
    if hasPrefix pref str then substring (stringLength pref) (stringLength str) str else str;
  splitString = sep: str: filter isString (split (escapeRegex sep) str);
  escapeRegex = replaceStrings
    [ "\\" "[" "]" "{" "}" "(" ")" "^" "$" "." "*" "+" "?" "|" ]
    [ "\\\\" "\\[" "\\]" "\\{" "\\}" "\\(" "\\)" "\\^" "\\$" "\\." "\\*" "\\+" "\\?" "\\|" ];
  concatStringsSep = builtins.concatStringsSep;
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  optionalAttrs = cond: set: if cond then set else { };
  optionalString = cond: s: if cond then s else "";
  toList = x: if isList x then x else [ x ];
  unique = foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
  last = list: elemAt list (length list - 1);
  mapAttrs = builtins.mapAttrs;
  attrValues = builtins.attrValues;
  genAttrs = names: f: listToAttrs (map (n: { name = n; value = f n; }) names);
  filterAttrs = pred: set:
    listToAttrs (concatLists (map (n: let v = set.${n}; in if pred n v then [ { name = n; value = v; } ] else [ ]) (attrNames set)));
  makeBinPath = concatMapStringsSep ":" (p: "${p}/bin");
  makeLibraryPath = concatMapStringsSep ":" (p: "${p}/lib");

  # readPins file: the lines of a whitespace-separated list (comments after '#', blank lines
  # skipped), each as a list of its fields.
  readPins = file:
    let
      lines = splitString "\n" (builtins.readFile file);
      noComment = l: head (splitString "#" l);
      fields = l: filter (w: w != "") (splitString " " (noComment l));
    in
    filter (fs: fs != [ ]) (map fields lines);

  # getName/getVersion of a "name-version" string (the version starts at the first "-" + digit).
  parseName = builtins.parseDrvName;

  licenses = {
    gpl2Plus = { spdxId = "GPL-2.0-or-later"; fullName = "GNU General Public License v2.0 or later"; };
    gpl3Plus = { spdxId = "GPL-3.0-or-later"; fullName = "GNU General Public License v3.0 or later"; };
    lgpl21Plus = { spdxId = "LGPL-2.1-or-later"; fullName = "GNU Lesser General Public License v2.1 or later"; };
    mit = { spdxId = "MIT"; fullName = "MIT License"; };
    zlib = { spdxId = "Zlib"; fullName = "zlib License"; };
    bsdOriginal = { spdxId = "BSD-4-Clause"; fullName = "BSD 4-clause License"; };
    bzip2 = { spdxId = "bzip2-1.0.6"; fullName = "bzip2 and libbzip2 License v1.0.6"; };
    publicDomain = { fullName = "Public Domain"; };
    bsd2 = { spdxId = "BSD-2-Clause"; fullName = "BSD 2-clause License"; };
    tcl = { spdxId = "TCL"; fullName = "TCL/TK License"; };
  };
}
