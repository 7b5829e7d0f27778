/** The clocks of one exchange, and which of them ran out. */
package io.infergate.core.timeout;
