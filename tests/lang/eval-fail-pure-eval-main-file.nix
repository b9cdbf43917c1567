# Pure evaluation (pure-eval) reads no file outside the allowed paths: not even the one given.
1
