{ inherit "${"a"}"; }
