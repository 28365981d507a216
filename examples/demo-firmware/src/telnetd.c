/* Stand-in for a legacy factory daemon: built without any hardening. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  char line[64];
  strcpy(line, argc > 1 ? argv[1] : "-i");
  printf("telnetd %s\n", line);
  return system("/bin/sh -c true");
}
