# glibc's development files (libc6-dev, linux-libc-dev: headers, crt files, static libraries,
# linker scripts), the compiler's system root. Its lib and lib64 are the runtime glibc's, where
# the linker scripts' /lib/x86_64-linux-gnu/libc.so.6 and /lib64/ld-linux-x86-64.so.2 lead.
ln -s "$glibc/lib" "$out/lib"
ln -s "$glibc/lib64" "$out/lib64"
