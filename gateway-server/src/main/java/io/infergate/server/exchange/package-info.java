/**
 * One request's way as named phases: the gate, the attempt loop's decisions as values, one object
 * per attempt, the way up to an endpoint and the way down from it.
 */
package io.infergate.server.exchange;
