/** What the status page shows of the requests themselves: each route's last minutes, the recent errors. */
package io.infergate.server.status;
