# builtins.match and builtins.split on expressions nixpp answers with a DFA (whole-string
# matches without groups, rejections with groups, where splits' matches start) next to ones it
# leaves to std::regex; expected output from Nix 2.8.
with builtins;
let
  subjects = [ "" "a" "7" "77" "1727" "a7b7c" "abc" "ABC" "a.b" "a-b" "]" "x]y" "a b\tc" "aab" "abab" "007" "é7" "\\" "{}" "^$" ];
  matches = [
    "[0-9]*7[0-9]*7" "a*" "a+" "a?" "a{2}" "a{0}" "a{1,}" "a{0,2}b" "(a|b)*" "a|b|" "|" "" "."
    ".*" "[^a]*" "[]a]+" "[^]a]" "[-a]*" "[a-]*" "[--0]+" "[[:alpha:]]+" "[[:digit:]]+" "[[:alnum:]_]*"
    "[[:upper:]][[:upper:]]*" "[[:lower:]]*" "[[:space:]]" "[[:blank:]]" "[[:punct:]]+" "[[:xdigit:]]+"
    "[[:print:]]*" "[[:graph:]]*" "[[:cntrl:]]" "[[a]+" "[\\]" "\\\\" "\\." "a\\.b" "\\(\\)" "\\{" "\\*"
    "\\+" "\\?" "\\|" "\\^\\$" "\\[" "^a" "a$" "^$" "^" "$" "$^" "a^" "(^a|b)" "(a$)b" "a|^b"
    "}" "]" "x]y" "([0-9])7" "(a)(b)?" "((a)|b)+" "(a*)*" "(a|ab)(c|bcd)?" "a{1,2}{2}" "é7" "[é]"
    "[^[:alpha:]]+" "[[:ALPHA:]]+" ".+7.+7" "(.)(.)" "([ab])*c"
  ];
  splits = [
    "[13579]" "7" "a" "[ab]" "." "ab|ba" "(a)" "a*" "a|b" "[[:space:]]" "\\." "a{2}" "(a|b)b"
    "[^a]" "x" "a?" "^a" "a$" "7|77" "[[:digit:]]{2}" "(-)([0-9]+)" "a+" "(a|ab)(c|bcd)?" "[0-9]+"
    "(a*)b" "(a|b)+7" "7(7)?" "(.)(.)?" "[[:punct:]]+"
  ];
in {
  match = map (re: { inherit re; r = map (match re) subjects; }) matches;
  split = map (re: { inherit re; r = map (split re) subjects; }) splits;
  long = length (filter (s: match "[0-9]*7[0-9]*7" s != null) (genList toString 2000));
  longSplit = length (split "[13579]" (concatStringsSep "," (genList toString 2000)));
}
