/** The upstream side: pooled connections per event loop, TLS, and the response handler. */
package io.infergate.server.upstream;
