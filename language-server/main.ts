// Entry point of `thunder-language-server`; the server helper replaces this stub.
process.stderr.write("thunder-language-server: not implemented yet\n");
