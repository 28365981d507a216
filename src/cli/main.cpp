// fwcert command line: parses arguments, calls the library, renders, maps to an exit code.

#include "cli/commands.hpp"

int main(int argc, char** argv) { return fwcert::cli::run(argc, argv); }
