builtins.parseFlakeRef "nosuchscheme:foo"
