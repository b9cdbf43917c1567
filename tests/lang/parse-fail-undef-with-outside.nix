(with {}; x) + y
