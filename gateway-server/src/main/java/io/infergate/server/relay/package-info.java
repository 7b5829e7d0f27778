/** What the client receives: the gateway's own answers, the relayed head and body, event streams with heartbeats. */
package io.infergate.server.relay;
