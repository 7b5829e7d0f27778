/** Server-sent-event framing that is safe across chunk splits: where an event ends, where a heartbeat may go. */
package io.infergate.core.sse;
