/* Stand-in for the multi-call binary the demo's /bin/sh and friends link to. */
#include <stdio.h>

int main(int argc, char** argv) {
  printf("busybox applet %s\n", argc > 0 ? argv[0] : "?");
  return 0;
}
