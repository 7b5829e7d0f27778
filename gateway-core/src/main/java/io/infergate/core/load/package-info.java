/**
 * The load an upstream endpoint reports about itself, read from what it sends: ORCA load reports,
 * TGI's timing headers, headers a route names, and the Prometheus page a poller fetches. Parsing
 * never throws on bad input; it answers {@link io.infergate.core.load.Parsed.Rejected} with a
 * reason the caller can count.
 */
package io.infergate.core.load;
