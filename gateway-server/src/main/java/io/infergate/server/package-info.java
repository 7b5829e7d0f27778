/** The process: command line, server start-up and graceful drain. */
package io.infergate.server;
