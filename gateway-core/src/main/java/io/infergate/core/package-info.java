/** The gateway's decisions, free of sockets: shared value types and the injected clock. */
package io.infergate.core;
