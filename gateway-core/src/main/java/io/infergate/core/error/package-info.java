/** The one table of failures the gateway answers itself: cause, status, layer. */
package io.infergate.core.error;
