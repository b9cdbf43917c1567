x @ y: x
