x: x.1
