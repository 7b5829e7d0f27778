/** The client pipeline: the channel's handlers in the order bytes meet them, one exchange per request, pipelined ones in order. */
package io.infergate.server.http;
