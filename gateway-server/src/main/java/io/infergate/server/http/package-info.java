/** The client side: pipeline, guards, and the handler that runs one exchange per request. */
package io.infergate.server.http;
