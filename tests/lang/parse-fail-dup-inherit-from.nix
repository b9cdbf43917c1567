{ inherit (a) x; inherit (b) x; }
