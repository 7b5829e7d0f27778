/** Runtime state of upstreams and their endpoints, shared by every route that uses them. */
package io.infergate.core.upstream;
