x: [ ./a/b ./x/../c /abs/x/./y/../z a/b ./a/${x} ./a${x}/b ./${x}.nix ]
