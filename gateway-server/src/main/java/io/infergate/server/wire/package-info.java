/** Header rules on the wire: guards, hop-by-hop and forwarding headers, request ids, keys scrubbed, load signals read. */
package io.infergate.server.wire;
