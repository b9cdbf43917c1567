let f = { x, y }: x; in f { x = 1; }
