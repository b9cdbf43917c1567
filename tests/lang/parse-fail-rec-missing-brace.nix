rec { a = 1; 2 }
