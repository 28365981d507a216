/* Stand-in for the device's Alexa client: built with every hardening flag. */
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  char config[256];
  snprintf(config, sizeof config, "%s", argc > 2 ? argv[2] : "/etc/alexa/AlexaClientSDKConfig.json");
  printf("avs-client using %s\n", config);
  return strlen(config) > 0 ? 0 : 1;
}
