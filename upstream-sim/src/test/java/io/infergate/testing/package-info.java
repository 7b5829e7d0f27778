/** Test support shared by every module: the Netty leak check, a strict SSE parser, bounded waiting. */
package io.infergate.testing;
