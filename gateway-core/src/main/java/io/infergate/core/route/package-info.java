/** Routing compiled from config: which route takes a request and how its path is forwarded. */
package io.infergate.core.route;
