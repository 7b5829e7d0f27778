-- Puts jobs whose lease lapsed back at the front of their queue, for another runner to take over,
-- and forgets ended jobs past twice their time to live. Returns how many were put back.
-- ARGV: prefix, now ms, ttl ms
local p, now, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local lapsed = redis.call('ZRANGEBYSCORE', p .. 'leases', '-inf', now, 'LIMIT', 0, 100)
local taken = 0
for _, id in ipairs(lapsed) do
  redis.call('ZREM', p .. 'leases', id)
  local job = p .. 'job:' .. id
  local route = redis.call('HGET', job, 'route')
  if route then
    redis.call('HDEL', job, 'owner')
    redis.call('LPUSH', p .. 'queue:' .. route, id)
    taken = taken + 1
  end
end
for _, status in ipairs({ 'succeeded', 'failed', 'cancelled' }) do
  redis.call('ZREMRANGEBYSCORE', p .. 'ended:' .. status, '-inf', now - 2 * ttl)
end
return taken
