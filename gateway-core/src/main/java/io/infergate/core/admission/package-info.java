/**
 * Admission: whether a request may take one of a route's upstream slots now, wait for one in the
 * route's bounded priority queue, or be refused at once with an honest {@code Retry-After}, so that
 * no request dies of a timeout in a queue. Pure decisions on an injected clock; the server wires
 * them to channels and timers.
 */
package io.infergate.core.admission;
