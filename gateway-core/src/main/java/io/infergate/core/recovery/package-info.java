/**
 * Mid-stream recovery: whether a stream that broke after content reached the client may be continued
 * elsewhere, the continuation request in each dialect, and the splice of the continuation's events
 * into the stream the client already reads.
 */
package io.infergate.core.recovery;
