rec { a = b; }
