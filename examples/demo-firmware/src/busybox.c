/* Stand-in for the multi-call binary the demo's /bin/sh and friends link to. */
#include <stdio.h>

int main(int argc, char** argv) {
  /* The real dispatcher copies the applet name into a local buffer; that buffer is also what
     makes -fstack-protector-strong instrument main (a function without one gets no canary, and
     the binary then looks unprotected to fwcert and checksec alike). */
  char applet[64];
  snprintf(applet, sizeof applet, "%s", argc > 0 ? argv[0] : "?");
  printf("busybox applet %s\n", applet);
  return 0;
}
