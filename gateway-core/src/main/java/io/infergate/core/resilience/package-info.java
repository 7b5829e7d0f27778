/** Circuit breaking and retry budgets: how the gateway stops making a failing endpoint worse. */
package io.infergate.core.resilience;
