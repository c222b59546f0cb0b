/*
 * cmd_capture.h - the command line of `httpcap capture` (live capture from an interface).
 */
#ifndef HTTPCAP_CMD_CAPTURE_H
#define HTTPCAP_CMD_CAPTURE_H

/* The capture subcommand; argv[0] is "capture". Returns the exit status: 0 ok (also after
 * SIGINT/SIGTERM), 1 runtime error, 2 usage error. */
int cmd_capture(int argc, char **argv);

/* Its usage text, for `httpcap --help`. */
extern const char cmd_capture_usage[];

#endif
