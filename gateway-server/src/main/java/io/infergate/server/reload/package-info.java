/** Reloading the config of a running gateway: the triggers, the swap, and the timers that follow the route table. */
package io.infergate.server.reload;
