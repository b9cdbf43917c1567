with builtins;
{
  cmp = map (p: compareVersions (elemAt p 0) (elemAt p 1)) [
    [ "1.0" "1.0" ]
    [ "1.0" "1.1" ]
    [ "1.10" "1.9" ]
    [ "1.0pre" "1.0" ]
    [ "1.0" "1.0pre" ]
    [ "1.0a" "1.0.1" ]
    [ "1.0a" "1.0b" ]
    [ "" "1" ]
    [ "1" "" ]
    [ "" "" ]
    [ "1.0-rc1" "1.0" ]
    [ "2.3pre1" "2.3pre12" ]
    [ "99999999999999999999" "1" ]
    [ "1..2" "1.2" ]
    [ "a" "b" ]
  ];
  split = map splitVersion [ "1.2.3" "1.2-pre3" "" "..1" "1.2abc3" "abc" "1-2-3" "2.0.0-beta.1" ];
  drv = map parseDrvName [ "hello-1.0" "hello" "foo-bar-2.0-rc1" "x-y" "name--1" "a-1b" "-1" "" "nix-2.8.0pre" ];
}
